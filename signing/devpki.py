"""A development PKI (root CA, TSA, OCSP responder) that certifies keys held elsewhere (KMS)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Fixed validity windows: tests never depend on a certificate that expires soon.
NOT_BEFORE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
NOT_AFTER = dt.datetime(2055, 1, 1, tzinfo=dt.UTC)


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


@dataclass
class DevPki:
    """The development CA and its service certificates, kept as PEM files in one folder."""

    root_cert: x509.Certificate
    root_key: rsa.RSAPrivateKey
    tsa_cert: x509.Certificate
    tsa_key: rsa.RSAPrivateKey
    ocsp_cert: x509.Certificate
    ocsp_key: rsa.RSAPrivateKey
    ocsp_url: str

    @classmethod
    def create(cls, ocsp_url: str, name: str = "hoso Development") -> DevPki:
        """Make a new root CA plus TSA and OCSP responder certificates."""
        root_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        subject = _name(f"{name} Root CA", f"{name} PKI")
        root_cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOT_BEFORE)
            .not_valid_after(NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
            )
            .sign(root_key, hashes.SHA256())
        )
        pki = cls(root_cert, root_key, root_cert, root_key, root_cert, root_key, ocsp_url)
        pki.tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pki.tsa_cert = pki.issue(
            pki.tsa_key.public_key(),
            f"{name} Time Stamping Authority",
            f"{name} PKI",
            extended_usage=ExtendedKeyUsageOID.TIME_STAMPING,
        )
        pki.ocsp_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pki.ocsp_cert = pki.issue(
            pki.ocsp_key.public_key(),
            f"{name} OCSP Responder",
            f"{name} PKI",
            extended_usage=ExtendedKeyUsageOID.OCSP_SIGNING,
        )
        return pki

    def issue(
        self,
        public_key: PublicKeyTypes,
        common_name: str,
        organization: str,
        extended_usage: x509.ObjectIdentifier | None = None,
    ) -> x509.Certificate:
        """Certify ``public_key`` (for example one read from KMS) for signing."""
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name, organization))
            .issuer_name(self.root_cert.subject)
            .public_key(public_key)  # type: ignore[arg-type]
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOT_BEFORE)
            .not_valid_after(NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=extended_usage is None,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root_key.public_key()),
                critical=False,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(public_key),  # type: ignore[arg-type]
                critical=False,
            )
        )
        if extended_usage == ExtendedKeyUsageOID.OCSP_SIGNING:
            builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
        else:
            builder = builder.add_extension(
                x509.AuthorityInformationAccess(
                    [
                        x509.AccessDescription(
                            x509.oid.AuthorityInformationAccessOID.OCSP,
                            x509.UniformResourceIdentifier(self.ocsp_url),
                        )
                    ]
                ),
                critical=False,
            )
        if extended_usage is not None:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([extended_usage]),
                critical=extended_usage == ExtendedKeyUsageOID.TIME_STAMPING,
            )
        return builder.sign(self.root_key, hashes.SHA256())

    def issue_pem(self, public_key_der: bytes, common_name: str, organization: str) -> list[str]:
        """Certify a DER SubjectPublicKeyInfo; returns the chain as PEM, signer first."""
        public_key = serialization.load_der_public_key(public_key_der)
        cert = self.issue(public_key, common_name, organization)
        return [_pem(cert), _pem(self.root_cert)]

    def issue_for_request(self, request_pem: str) -> list[str]:
        """Certify the key of a PEM PKCS#10 request in the name it asks for, as a CA would
        after checking it; the chain as PEM, signer first. ValueError for a request that is
        not one or whose signature does not verify."""
        request = x509.load_pem_x509_csr(request_pem.encode("ascii"))
        if not request.is_signature_valid:
            raise ValueError("the request's signature does not verify")
        names = {a.oid: str(a.value) for a in request.subject}
        common_name = names.get(NameOID.COMMON_NAME)
        if not common_name:
            raise ValueError("the request names no common name")
        organization = names.get(NameOID.ORGANIZATION_NAME, common_name)
        cert = self.issue(request.public_key(), common_name, organization)
        return [_pem(cert), _pem(self.root_cert)]

    @property
    def root_pem(self) -> str:
        return _pem(self.root_cert)

    def save(self, folder: Path) -> None:
        """Write certificates and keys as PEM files (development only: keys unencrypted)."""
        folder.mkdir(parents=True, exist_ok=True)
        for label, cert, key in (
            ("root", self.root_cert, self.root_key),
            ("tsa", self.tsa_cert, self.tsa_key),
            ("ocsp", self.ocsp_cert, self.ocsp_key),
        ):
            (folder / f"{label}.pem").write_text(_pem(cert))
            (folder / f"{label}.key").write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        (folder / "ocsp_url").write_text(self.ocsp_url)

    @classmethod
    def load(cls, folder: Path) -> DevPki:
        """Read a PKI written by ``save``."""

        def read(label: str) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
            cert = x509.load_pem_x509_certificate((folder / f"{label}.pem").read_bytes())
            key = serialization.load_pem_private_key(
                (folder / f"{label}.key").read_bytes(), password=None
            )
            assert isinstance(key, rsa.RSAPrivateKey)
            return cert, key

        root = read("root")
        tsa = read("tsa")
        ocsp = read("ocsp")
        return cls(*root, *tsa, *ocsp, (folder / "ocsp_url").read_text().strip())


class RevocationList:
    """The dev CA's revoked certificates, kept in a JSON file (serial -> revocation time) so
    that the OCSP service sees a revocation made by another thread or process at once."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def revoke(self, certificate_pem: str, at: dt.datetime) -> None:
        """Revoke a certificate (PEM) from ``at`` on."""
        serial = x509.load_pem_x509_certificate(certificate_pem.encode("ascii")).serial_number
        revoked = self._read()
        revoked[str(serial)] = at.isoformat()
        self.path.write_text(json.dumps(revoked))

    def revoked_at(self, serial: int) -> dt.datetime | None:
        """When the certificate with ``serial`` was revoked; None if it is not."""
        at = self._read().get(str(serial))
        return dt.datetime.fromisoformat(at) if at else None

    def _read(self) -> dict[str, str]:
        return dict(json.loads(self.path.read_text())) if self.path.exists() else {}
