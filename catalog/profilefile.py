"""Reading and checking an assessment profile file (schema 1.0.0), without touching the database.

A profile says how the tool runs an assessment of one model version: the scoring strategy and its
parameters, the subject fields to collect, the assurance tiers a result may claim and how the report
is produced and signed. ``parse_profile_file`` checks the structure the schema describes (unknown
fields refused, as the schema's closed objects do) and the rules a PKIMM profile must also follow:
the weighted-average strategy with its fixed parameters (rounding floor, round or ceil), a default
tier that runs in the browser, browser tiers that claim neither verification nor certification,
attestations only with a signing policy, and a submission service that is not implemented.
Whether ``profile.model`` names an imported model version is checked on import (services).
"""

import re
from dataclasses import dataclass

from catalog.errors import CatalogFileError, Problem
from catalog.modelfile import _load, refuse_bad_strings

PROFILE_SCHEMA_VERSIONS = ("1.0.0",)
ROUNDINGS = ("floor", "round", "ceil")
COMPONENTS = ("text", "textarea", "date")
FORMATS = ("cpe-2.3", "package-url", "uri")
FAMILIES = ("maturity", "knowledge-diagnostic", "certification-exam")
FACETS = (
    "identity",
    "organization-binding",
    "role-authority",
    "document-signature",
    "trusted-time",
    "evidence-review",
    "assessor-qualification",
    "certification-issuance",
)
AVAILABILITIES = ("browser", "external-workflow")
ATTESTATION_METHODS = ("electronic-acknowledgement", "external-digital-signature")
# The parameters a PKIMM weighted-average profile must give, with the only value each may have.
PKIMM_PARAMETERS = {
    "minimumLevel": 0,
    "maximumLevel": 5,
    "categoryWeightField": "weight",
    "requirementWeightField": "weight",
    "excludeNotApplicable": True,
}

_ID_RE = re.compile(r"\A[a-z0-9-]{1,80}\Z")
_KEY_RE = re.compile(r"\A[A-Za-z][A-Za-z0-9_]{0,63}\Z")
_VERSION_RE = re.compile(r"\A[0-9]+\.[0-9]+\.[0-9]+\Z")
_FILE_NAME_RE = re.compile(r"\A[a-zA-Z0-9._-]{1,200}\Z")


@dataclass(frozen=True)
class ProfileFileSpec:
    profile_id: str
    version: str
    title: str
    description: str
    model_id: str
    model_version: str
    data: dict  # the checked file, JSON-ready
    sha256: str

    def summary(self) -> str:
        tiers = ", ".join(tier["id"] for tier in self.data["assurance"]["profiles"])
        fields = len(self.data["runtime"]["subjectFields"])
        rounding = self.data["runtime"]["methodology"]["parameters"]["rounding"]
        return f"for PKIMM {self.model_version}; rounding {rounding}; {fields} subject fields; assurance tiers {tiers}"


def parse_profile_file(text: str | bytes, *, source_name: str) -> ProfileFileSpec:
    data, sha256 = _load(text, source_name)
    refuse_bad_strings(data, source_name)
    checker = _ProfileChecker()
    checker.check(data)
    if checker.problems:
        raise CatalogFileError(source_name, checker.problems)
    profile = data["profile"]
    return ProfileFileSpec(
        profile_id=profile["id"],
        version=profile["version"],
        title=profile["title"].strip(),
        description=profile.get("description", ""),
        model_id=profile["model"]["id"],
        model_version=profile["model"]["version"],
        data=_json_ready(data),
        sha256=sha256,
    )


def _json_ready(value):
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, str | bool | int) or value is None:
        return value
    return str(value)  # Decimal and dates: kept as their text


class _ProfileChecker:
    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, path, message):
        self.problems.append(Problem(path or "(top level)", message))

    def obj(self, value, path, *, required=(), optional=()) -> dict | None:
        """A mapping with exactly these keys allowed; missing required keys and unknown keys are problems."""
        if not isinstance(value, dict):
            self.add(path, "must be a mapping")
            return None
        for key in required:
            if key not in value:
                self.add(f"{path}.{key}" if path else key, "is required but missing")
        for key in value:
            if key not in required and key not in optional:
                self.add(f"{path}.{key}" if path else str(key), "is not a field the profile schema knows")
        return value

    def text(self, data, key, path, *, pattern=None, choices=None, required=True) -> str | None:
        if key not in data:
            return None
        value, where = data[key], f"{path}.{key}" if path else key
        if not isinstance(value, str) or not value.strip():
            self.add(where, "must be a non-empty string")
            return None
        if pattern is not None and not pattern.match(value):
            self.add(where, f"{value!r} is not valid")
            return None
        if choices is not None and value not in choices:
            self.add(where, f"must be one of {', '.join(choices)}, not {value!r}")
            return None
        return value

    def flag(self, data, key, path):
        if key in data and not isinstance(data[key], bool):
            self.add(f"{path}.{key}", "must be true or false")

    def items(self, data, key, path, *, minimum=0, maximum=64) -> list:
        if key not in data:
            return []
        value = data[key]
        if not isinstance(value, list):
            self.add(f"{path}.{key}", "must be a list")
            return []
        if not minimum <= len(value) <= maximum:
            self.add(f"{path}.{key}", f"must have {minimum} to {maximum} entries, not {len(value)}")
        return value

    def check(self, data):
        top = self.obj(
            data,
            "",
            required=("schemaVersion", "profile", "runtime", "assurance", "report", "futureServices"),
        )
        if top is None:
            return
        schema_version = top.get("schemaVersion")
        if "schemaVersion" in top and str(schema_version) not in PROFILE_SCHEMA_VERSIONS:
            self.add("schemaVersion", f"schema version {schema_version!r} is not supported (supported: 1.0.0)")
            return
        if "profile" in top:
            self.profile(top["profile"])
        if "runtime" in top:
            self.runtime(top["runtime"])
        signing = None
        if "report" in top:
            signing = self.report(top["report"])
        if "assurance" in top:
            self.assurance(top["assurance"], has_signing=signing is not None)
        if "futureServices" in top:
            self.future_services(top["futureServices"])

    def profile(self, value):
        profile = self.obj(
            value, "profile", required=("id", "version", "family", "model", "title"), optional=("description",)
        )
        if profile is None:
            return
        self.text(profile, "id", "profile", pattern=_ID_RE)
        self.text(profile, "version", "profile", pattern=_VERSION_RE)
        self.text(profile, "family", "profile", choices=("maturity",))
        self.text(profile, "title", "profile")
        if "model" in profile:
            model = self.obj(profile["model"], "profile.model", required=("id", "version"))
            if model is not None:
                self.text(model, "id", "profile.model", choices=("pkimm",))
                self.text(model, "version", "profile.model", pattern=_VERSION_RE)

    def runtime(self, value):
        runtime = self.obj(
            value,
            "runtime",
            required=("experience", "methodology", "subjectFields"),
            optional=("subjectRules", "criterion"),
        )
        if runtime is None:
            return
        self.text(runtime, "experience", "runtime", choices=("weighted-maturity",))
        if "methodology" in runtime:
            methodology = self.obj(
                runtime["methodology"], "runtime.methodology", required=("strategy", "version", "parameters")
            )
            if methodology is not None:
                self.text(methodology, "strategy", "runtime.methodology", choices=("weighted-average",))
                self.text(methodology, "version", "runtime.methodology", pattern=_VERSION_RE)
                if "parameters" in methodology:
                    self.parameters(methodology["parameters"])
        keys = set()
        for index, field in enumerate(self.items(runtime, "subjectFields", "runtime", minimum=1)):
            path = f"runtime.subjectFields[{index}]"
            entry = self.obj(
                field, path, required=("key", "label", "component", "required"), optional=("rows", "hint", "format")
            )
            if entry is None:
                continue
            key = self.text(entry, "key", path, pattern=_KEY_RE)
            if key is not None and key in keys:
                self.add(f"{path}.key", f"duplicate subject field {key!r}")
            keys.add(key)
            self.text(entry, "label", path)
            self.text(entry, "component", path, choices=COMPONENTS)
            self.flag(entry, "required", path)
            if "rows" in entry and (
                isinstance(entry["rows"], bool) or not isinstance(entry["rows"], int) or not 1 <= entry["rows"] <= 40
            ):
                self.add(f"{path}.rows", "must be a whole number from 1 to 40")
            self.text(entry, "hint", path)
            self.text(entry, "format", path, choices=FORMATS)
        for index, rule in enumerate(self.items(runtime, "subjectRules", "runtime")):
            path = f"runtime.subjectRules[{index}]"
            entry = self.obj(rule, path, required=("type", "fields"), optional=("message",))
            if entry is None:
                continue
            self.text(entry, "type", path, choices=("at-least-one",))
            for field_index, name in enumerate(self.items(entry, "fields", path, minimum=1)):
                if name not in keys:
                    self.add(f"{path}.fields[{field_index}]", f"{name!r} is not a subject field of this profile")
        if "criterion" in runtime and not isinstance(runtime["criterion"], dict):
            self.add("runtime.criterion", "must be a mapping")

    def parameters(self, value):
        if not isinstance(value, dict):
            self.add("runtime.methodology.parameters", "must be a mapping")
            return
        path = "runtime.methodology.parameters"
        for key, wanted in PKIMM_PARAMETERS.items():
            if key not in value:
                self.add(f"{path}.{key}", "is required for the weighted-average strategy")
            elif value[key] != wanted or isinstance(value[key], bool) != isinstance(wanted, bool):
                self.add(f"{path}.{key}", f"must be {wanted!r} for the PKI Maturity Model, not {value[key]!r}")
        if "rounding" not in value:
            self.add(f"{path}.rounding", "is required (floor, round or ceil)")
        elif value["rounding"] not in ROUNDINGS:
            self.add(f"{path}.rounding", f"must be floor, round or ceil, not {value['rounding']!r}")
        for key in value:
            if key not in PKIMM_PARAMETERS and key != "rounding":
                self.add(f"{path}.{key}", "is not a parameter of the weighted-average strategy")

    def report(self, value):
        report = self.obj(
            value,
            "report",
            required=(
                "title",
                "claimLabel",
                "machineAttachmentName",
                "includeEvidenceAttachments",
                "includeEvidenceManifest",
                "includeAttestation",
            ),
            optional=("signing",),
        )
        if report is None:
            return None
        self.text(report, "title", "report")
        self.text(report, "claimLabel", "report")
        self.text(report, "machineAttachmentName", "report", pattern=_FILE_NAME_RE)
        for key in ("includeEvidenceAttachments", "includeEvidenceManifest", "includeAttestation"):
            self.flag(report, key, "report")
        if "signing" not in report:
            return None
        signing = self.obj(
            report["signing"],
            "report.signing",
            required=("format", "fields", "allowAdditionalSignatures", "targetLevel", "trustedTime"),
            optional=("acceptedAuthorityEvidence",),
        )
        if signing is None:
            return None
        self.text(signing, "format", "report.signing", choices=("PAdES",))
        self.text(signing, "targetLevel", "report.signing", choices=("B-T", "B-LT", "B-LTA"))
        self.flag(signing, "allowAdditionalSignatures", "report.signing")
        for index, field in enumerate(self.items(signing, "fields", "report.signing")):
            path = f"report.signing.fields[{index}]"
            entry = self.obj(field, path, required=("name", "label", "role", "required"))
            if entry is not None:
                self.text(entry, "name", path, pattern=re.compile(r"\A[A-Za-z][A-Za-z0-9_]{0,63}\Z"))
                self.text(entry, "label", path)
                self.text(entry, "role", path)
                self.flag(entry, "required", path)
        return signing

    def assurance(self, value, *, has_signing: bool):
        assurance = self.obj(value, "assurance", required=("defaultProfile", "profiles"))
        if assurance is None:
            return
        tiers = {}
        for index, tier in enumerate(self.items(assurance, "profiles", "assurance", minimum=1)):
            path = f"assurance.profiles[{index}]"
            entry = self.obj(
                tier,
                path,
                required=(
                    "id",
                    "label",
                    "reportLabel",
                    "availability",
                    "independentVerification",
                    "certification",
                    "requiredFacets",
                    "notice",
                ),
                optional=("attestation",),
            )
            if entry is None:
                continue
            tier_id = self.text(entry, "id", path, pattern=_ID_RE)
            if tier_id in tiers:
                self.add(f"{path}.id", f"duplicate assurance tier {tier_id!r}")
            self.text(entry, "label", path)
            self.text(entry, "reportLabel", path)
            self.text(entry, "notice", path)
            availability = self.text(entry, "availability", path, choices=AVAILABILITIES)
            self.flag(entry, "independentVerification", path)
            self.flag(entry, "certification", path)
            for facet_index, facet in enumerate(self.items(entry, "requiredFacets", path, maximum=len(FACETS))):
                if facet not in FACETS:
                    self.add(f"{path}.requiredFacets[{facet_index}]", f"{facet!r} is not a facet the schema knows")
            if availability == "browser" and (entry.get("independentVerification") or entry.get("certification")):
                self.add(path, "a tier that runs in the browser cannot claim independent verification or certification")
            if "attestation" in entry:
                attestation = self.obj(
                    entry["attestation"],
                    f"{path}.attestation",
                    required=("enabled",),
                    optional=("signerRole", "method", "declaration"),
                )
                if attestation is not None:
                    self.flag(attestation, "enabled", f"{path}.attestation")
                    self.text(attestation, "method", f"{path}.attestation", choices=ATTESTATION_METHODS)
                    if attestation.get("enabled") is True and not has_signing:
                        self.add(f"{path}.attestation", "an attestation needs a signing policy (report.signing)")
            if tier_id:
                tiers[tier_id] = entry
        default = self.text(assurance, "defaultProfile", "assurance")
        if default is not None and tiers:
            if default not in tiers:
                self.add("assurance.defaultProfile", f"{default!r} is not one of the tiers ({', '.join(tiers)})")
            elif tiers[default].get("availability") != "browser":
                self.add("assurance.defaultProfile", "the default tier must be one that runs in the browser")

    def future_services(self, value):
        services = self.obj(value, "futureServices", required=("pkicSubmission",))
        if services is None or "pkicSubmission" not in services:
            return
        submission = self.obj(
            services["pkicSubmission"],
            "futureServices.pkicSubmission",
            required=("implemented", "processingMayRequirePayment", "covers"),
        )
        if submission is None:
            return
        if submission.get("implemented") is not False:
            self.add("futureServices.pkicSubmission.implemented", "must be false (the service does not exist yet)")
        self.flag(submission, "processingMayRequirePayment", "futureServices.pkicSubmission")
        self.items(submission, "covers", "futureServices.pkicSubmission")
