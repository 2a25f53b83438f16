//! TLS at both ends of the hub: serving HTTPS itself (`serve --tls-cert --tls-key`), and
//! connecting to PostgreSQL over TLS (`sslmode=require`, `verify-ca`, `verify-full`).
//!
//! rustls on ring, the same stack the devices use: no OpenSSL on the hub's machine either.
//! Terminating TLS at a reverse proxy instead is documented in docs/operations.md.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::error::{HubError, HubResult};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The server side: the certificate chain and private key of `serve --tls-cert --tls-key`.
pub fn server_config(cert: &Path, key: &Path) -> HubResult<Arc<rustls::ServerConfig>> {
    let unreadable = |what: &str, path: &Path, e: &dyn std::fmt::Display| {
        HubError::BadRequest(format!("cannot read the {what} {}: {e}", path.display()))
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| unreadable("certificate file", cert, &e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable("certificate file", cert, &e))?;
    if chain.is_empty() {
        return Err(HubError::BadRequest(format!(
            "the certificate file {} holds no PEM certificate",
            cert.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| unreadable("key file", key, &e))?;
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| HubError::BadRequest(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| {
            HubError::BadRequest(format!(
                "the certificate {} and its key do not make a TLS identity: {e}",
                cert.display()
            ))
        })?;
    let mut config = config;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// How a PostgreSQL URL asks for TLS (libpq's `sslmode`; `sslrootcert` names the CA file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PgTls {
    /// No TLS (`disable`, or no `sslmode`): loopback and private networks only.
    Off,
    /// Encrypted, the server's certificate not checked (`require`): protects against listening,
    /// not against a server in the middle.
    Encrypt,
    /// The certificate must chain to the CA (`verify-ca`).
    VerifyCa(Option<String>),
    /// The certificate must chain to the CA and name the host (`verify-full`).
    VerifyFull(Option<String>),
}

/// Splits libpq's TLS parameters off a `postgres://` URL: the URL the `postgres` crate takes
/// (which knows only disable / prefer / require) and what TLS it asks for.
pub fn pg_tls(url: &str) -> HubResult<(String, PgTls)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), PgTls::Off));
    };
    let mut mode = None;
    let mut root = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", value)) => mode = Some(value.to_string()),
            Some(("sslrootcert", value)) => root = Some(value.to_string()),
            _ => kept.push(pair),
        }
    }
    let tls = match mode.as_deref() {
        None | Some("disable") => PgTls::Off,
        Some("prefer" | "require" | "allow") => PgTls::Encrypt,
        Some("verify-ca") => PgTls::VerifyCa(root),
        Some("verify-full") => PgTls::VerifyFull(root),
        Some(other) => {
            return Err(HubError::BadRequest(format!(
                "sslmode={other:?} is not one of disable, require, verify-ca, verify-full"
            )));
        }
    };
    let mut url = base.to_string();
    if tls != PgTls::Off {
        kept.push("sslmode=require");
    }
    if !kept.is_empty() {
        url.push('?');
        url.push_str(&kept.join("&"));
    }
    Ok((url, tls))
}

/// The rustls client configuration for PostgreSQL under `tls` (`None` for [`PgTls::Off`]).
pub fn pg_client_config(tls: &PgTls) -> HubResult<Option<rustls::ClientConfig>> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| HubError::Storage(format!("TLS: {e}")))?;
    let roots = |file: &Option<String>| -> HubResult<rustls::RootCertStore> {
        let mut roots = rustls::RootCertStore::empty();
        match file {
            Some(path) => {
                for cert in CertificateDer::pem_file_iter(path).map_err(|e| {
                    HubError::Storage(format!("cannot read sslrootcert {path}: {e}"))
                })? {
                    let cert = cert.map_err(|e| {
                        HubError::Storage(format!("cannot read sslrootcert {path}: {e}"))
                    })?;
                    roots.add(cert).map_err(|e| {
                        HubError::Storage(format!(
                            "sslrootcert {path} holds a bad certificate: {e}"
                        ))
                    })?;
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        Ok(roots)
    };
    Ok(match tls {
        PgTls::Off => None,
        PgTls::Encrypt => Some(
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider())))
                .with_no_client_auth(),
        ),
        PgTls::VerifyFull(root) => Some(
            builder
                .with_root_certificates(roots(root)?)
                .with_no_client_auth(),
        ),
        PgTls::VerifyCa(root) => {
            let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots(root)?),
                provider(),
            )
            .build()
            .map_err(|e| HubError::Storage(format!("TLS: {e}")))?;
            Some(
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(ChainOnly(verifier)))
                    .with_no_client_auth(),
            )
        }
    })
}

/// `sslmode=require`: any certificate (libpq's meaning of require without a root file).
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `sslmode=verify-ca`: the chain must verify; the name in the certificate is not checked.
#[derive(Debug)]
struct ChainOnly(Arc<rustls::client::WebPkiServerVerifier>);

impl rustls::client::danger::ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName))
            | Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForNameContext { .. },
            )) => Ok(rustls::client::danger::ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libpq_tls_parameters_are_taken_off_the_url() {
        let parse = |u: &str| pg_tls(u).map_err(|e| e.to_string());
        assert_eq!(
            parse("postgres://h/db"),
            Ok(("postgres://h/db".into(), PgTls::Off))
        );
        assert_eq!(
            parse("postgres://h/db?sslmode=require&connect_timeout=5"),
            Ok((
                "postgres://h/db?connect_timeout=5&sslmode=require".into(),
                PgTls::Encrypt
            ))
        );
        assert_eq!(
            parse("postgres://h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem"),
            Ok((
                "postgres://h/db?sslmode=require".into(),
                PgTls::VerifyFull(Some("/etc/ca.pem".into()))
            ))
        );
        assert!(
            parse("postgres://h/db?sslmode=sometimes").is_err_and(|e| e.contains("\"sometimes\""))
        );
    }
}
