//! `accord serve`, `accord migrate`, `accord user add` and `accord token
//! create`, the server's commands: wiring of settings, logging, signals and
//! the store around `accord_server::launch`.

use std::io::BufRead;
use std::process::ExitCode;

use accord_server::{DatabaseUrl, LogFormat, Overrides, Settings};
use accord_store::{NewUser, OrgKind, Role, Store, Tenant, random_password};
use anyhow::{Context, bail};
use jiff::Timestamp;

use crate::cli::{DatabaseArgs, LogFormatArg, RoleArg, ServeArgs, TokenCommand, UserCommand};

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn overrides(db: DatabaseArgs) -> Overrides {
    Overrides {
        data_dir: db.data_dir,
        database_url: db.database.map(DatabaseUrl::new),
        ..Overrides::default()
    }
}

/// The settings from environment and flags, without a file.
fn settings_for(db: DatabaseArgs) -> anyhow::Result<Settings> {
    Ok(Settings::load(None, env_var, overrides(db))?)
}

async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let url = settings.database_url();
    Store::open(url.expose())
        .await
        .with_context(|| format!("cannot open the database {url}"))
}

fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    // Colour only for a person at a terminal: a log file or a pipe gets
    // plain text, never escape sequences. NO_COLOR turns it off anywhere.
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    // A second initialisation (never in the binary) is harmless.
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

pub fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    if args.example_config {
        print!("{}", accord_server::settings::EXAMPLE);
        return Ok(ExitCode::SUCCESS);
    }
    let mut flags = overrides(args.database);
    flags.listen = args.listen;
    flags.log_format = args.log_format.map(|f| match f {
        LogFormatArg::Text => LogFormat::Text,
        LogFormatArg::Json => LogFormat::Json,
    });
    let settings = Settings::load(args.config.as_deref(), env_var, flags)?;
    init_logging(settings.log_format);
    let demo = args.demo;
    runtime()?.block_on(async move {
        if demo {
            let store = open_store(&settings).await?;
            let report = super::demo::seed(&store, 400).await?;
            store.close().await;
            print!("{report}");
        }
        let listener = tokio::net::TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        eprintln!(
            "accord serving on http://{} (database {})",
            listener.local_addr()?,
            settings.database_url()
        );
        #[cfg(feature = "pdf")]
        accord_server::documents::install_pdf_renderer(|doc| {
            accord_pdf::render(doc).map_err(|e| e.to_string())
        });
        accord_server::launch(settings, listener, shutdown_signal()).await?;
        Ok(ExitCode::SUCCESS)
    })
}

pub fn migrate(args: DatabaseArgs) -> anyhow::Result<ExitCode> {
    let settings = settings_for(args)?;
    runtime()?.block_on(async move {
        let store = open_store(&settings).await?;
        store.close().await;
        println!("{}: migrated", settings.database_url());
        Ok(ExitCode::SUCCESS)
    })
}

pub fn user(cmd: UserCommand) -> anyhow::Result<ExitCode> {
    let UserCommand::Add(args) = cmd;
    let role = match args.role {
        RoleArg::Admin => Role::Admin,
        RoleArg::Agent => Role::Agent,
        RoleArg::Client => Role::Client,
    };
    if role != Role::Client && args.client.is_some() {
        bail!("--client is only for users with --role client; staff see every client");
    }
    let (password, generated) = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            bail!("the password read from stdin is empty");
        }
        (line, false)
    } else {
        (random_password(), true)
    };
    let settings = settings_for(args.database)?;
    runtime()?.block_on(async move {
        let store = open_store(&settings).await?;
        let now = Timestamp::now();
        let client = match &args.client {
            Some(name) => {
                let orgs = store.accounts().organisations(&Tenant::Provider).await?;
                let clients: Vec<&str> = orgs
                    .iter()
                    .filter(|o| o.kind == OrgKind::Client)
                    .map(|o| o.name.as_str())
                    .collect();
                let found = orgs
                    .iter()
                    .find(|o| o.kind == OrgKind::Client && o.name == name.trim());
                Some(match found {
                    Some(o) => accord_store::ClientId::parse(o.id.as_str())?,
                    None if args.create_client => {
                        let id = store.accounts().create_client(name, now).await?;
                        eprintln!("created client organisation `{name}` ({id})");
                        id
                    }
                    None => {
                        store.close().await;
                        let help = match closest_client(name.trim(), &clients) {
                            Some(best) => format!("did you mean \"{best}\"?"),
                            None if clients.is_empty() => "there are no clients yet".into(),
                            None => format!("clients: {}", clients.join(", ")),
                        };
                        bail!(
                            "there is no client `{name}`: {help} \
                             (add --create-client to create a new organisation)"
                        );
                    }
                })
            }
            None => None,
        };
        let user = store
            .accounts()
            .create_user(
                NewUser {
                    email: &args.email,
                    name: &args.name,
                    role,
                    client,
                    password: Some(&password),
                },
                now,
            )
            .await?;
        store.close().await;
        println!("created {} user {} ({})", user.role, user.email, user.id);
        if generated {
            println!("password: {password}");
            eprintln!("the password is shown only once; store it now");
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The existing client a mistyped name most likely means: one whose name
/// starts with it or that it starts with (a legal suffix left out or added,
/// ignoring case), else the closest by edit distance.
fn closest_client<'c>(name: &str, clients: &[&'c str]) -> Option<&'c str> {
    let lower = name.to_lowercase();
    let prefixed = clients.iter().copied().find(|c| {
        let c = c.to_lowercase();
        !lower.is_empty() && (c.starts_with(&lower) || lower.starts_with(&c))
    });
    prefixed.or_else(|| accord_core::contract::did_you_mean(name, clients.iter().copied()))
}

pub fn token(cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    let TokenCommand::Create(args) = cmd;
    let settings = settings_for(args.database)?;
    runtime()?.block_on(async move {
        let store = open_store(&settings).await?;
        let Some(user) = store.accounts().user_by_email(&args.email).await? else {
            bail!("there is no user with e-mail `{}`", args.email);
        };
        let (info, secret) = store
            .accounts()
            .create_token(&user.id, &args.name, Timestamp::now())
            .await?;
        store.close().await;
        eprintln!(
            "created token `{}` ({}) acting as {} ({}); the secret is shown only once:",
            info.name, info.id, user.email, user.role
        );
        println!("{}", secret.expose());
        Ok(ExitCode::SUCCESS)
    })
}
