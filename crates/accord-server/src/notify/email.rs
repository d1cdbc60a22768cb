//! E-mail deliveries (SPEC §1, §7): a plain-text message over SMTP (lettre)
//! to each contact the contract names for warnings, through the relay in
//! `[smtp]`, with STARTTLS or, for a relay on localhost, plain.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::settings::{SmtpSettings, SmtpTls};

/// Sends e-mail through one relay.
#[derive(Debug, Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// A mailer for `smtp`, or why its settings cannot be used.
    pub fn new(smtp: &SmtpSettings, timeout: Duration) -> Result<Mailer, String> {
        let from: Mailbox = smtp.from.parse().map_err(|e| {
            format!(
                "smtp.from: `{}` is not a sender like \"Accord <accord@provider.example>\" ({e})",
                smtp.from
            )
        })?;
        let builder = match smtp.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                .map_err(|e| format!("smtp.host: `{}`: {e}", smtp.host))?,
        };
        let mut builder = builder.port(smtp.port).timeout(Some(timeout));
        match (&smtp.username, &smtp.password) {
            (Some(user), Some(password)) => {
                builder = builder.credentials(Credentials::new(
                    user.clone(),
                    password.expose().to_string(),
                ));
            }
            (None, None) => {}
            _ => return Err("smtp: set both username and password, or neither".into()),
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one message; the error says why it was not accepted.
    pub async fn send(
        &self,
        to_name: Option<&str>,
        to: &str,
        subject: &str,
        body: String,
    ) -> Result<(), String> {
        let address: Address = to
            .parse()
            .map_err(|e| format!("`{to}` is not an e-mail address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(to_name.map(str::to_string), address))
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("cannot build the message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("the SMTP relay refused the message: {e}"))
    }
}
