"""The catalogue: any signed-in user browses it; only staff import files (none of the test users is staff)."""

from catalog.services import extension_import, model_version_import
from tests.catalog.files import dump, tiny_extension, tiny_model
from tests.permissions.spec import FORBIDDEN, LOGIN, ROLES, Case, signed_in

STAFF_ONLY = {role: FORBIDDEN for role in ROLES} | {"anonymous": LOGIN}


def prepare(world):
    model_version_import(text=dump(tiny_model("9.1.0")), source_name="tiny.yaml")
    extension = extension_import(text=dump(tiny_extension(["9.1.0"])), source_name="ext.yaml").extension
    world.objects["catalog_extension"] = extension


CASES = [
    Case("catalog:index", lambda w: {}, signed_in()),
    Case("catalog:references", lambda w: {}, signed_in()),
    Case("catalog:compare", lambda w: {}, signed_in()),
    Case("catalog:version_detail", lambda w: {"version": "9.1.0"}, signed_in()),
    Case("catalog:category_detail", lambda w: {"version": "9.1.0", "key": "G.1"}, signed_in()),
    Case(
        "catalog:extension_detail",
        lambda w: {"ext_id": w.objects["catalog_extension"].ext_id, "version": w.objects["catalog_extension"].version},
        signed_in(),
    ),
    Case("catalog:import", lambda w: {}, STAFF_ONLY),
    Case("catalog:import", lambda w: {}, STAFF_ONLY, method="post", data=lambda w: {"kind": "model"}, label="upload"),
]
