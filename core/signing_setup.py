"""Whether this installation has report-signing material, from settings and files only.

Lives in core so that the sign-off page (assessments) can warn before signing without importing the
reports app; ``reports.signing`` uses the same file names.
"""

from pathlib import Path

from django.conf import settings

CA_CERT_FILE = "ca-cert.pem"
CA_KEY_FILE = "ca-key.pem"
SIGNING_CERT_FILE = "signing-cert.pem"
SIGNING_KEY_FILE = "signing-key.pem"
TSA_CERT_FILE = "tsa-cert.pem"
TSA_KEY_FILE = "tsa-key.pem"


def signing_setup_problem() -> str:
    """Empty when reports can be signed; else what is missing, for the person signing off and the admin."""
    if settings.SIGNING_PKCS11_MODULE:
        if not Path(settings.SIGNING_PKCS11_MODULE).exists():
            return f"The PKCS#11 module {settings.SIGNING_PKCS11_MODULE} (PKIMM_SIGNING_PKCS11_MODULE) does not exist."
        return ""
    if settings.SIGNING_P12:
        if not Path(settings.SIGNING_P12).is_file():
            return f"The PKCS#12 file {settings.SIGNING_P12} (PKIMM_SIGNING_P12) does not exist."
        return ""
    directory = Path(settings.SIGNING_DIR)
    if not all((directory / name).is_file() for name in (SIGNING_KEY_FILE, SIGNING_CERT_FILE, CA_CERT_FILE)):
        return (
            "This installation has no report-signing key: final reports cannot be signed. "
            'An administrator runs `manage.py init_signing --name "<installation name>"` '
            "(or sets PKIMM_SIGNING_P12 or PKIMM_SIGNING_PKCS11_MODULE)."
        )
    return ""
