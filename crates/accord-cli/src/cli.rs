//! The command line: every command, flag and its help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Accord: bespoke Service Level Agreements, measured honestly.
///
/// One contract file is the source of the signed SLA appendix and of every
/// clock: response and resolution times in the client's business hours,
/// fair pauses while waiting on the client, reports, credits and invoices.
#[derive(Debug, Parser)]
#[command(
    name = "accord",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Business-time arithmetic on a contract's support calendars.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Contract files: check them, render the signed appendix, diff two versions, next review date
    #[command(subcommand)]
    Contract(ContractCommand),
    /// Replay ticket events against a contract and print every SLA clock
    ///
    /// EVENTS is JSON Lines, one event an object (SPEC §10):
    ///   {"ticket": "T-1", "kind": "opened", "at": "2026-03-02T08:00:00Z", "priority": "critical"}
    /// or CSV with a header row such as
    ///   ticket,kind,at,priority,reason,note,id,by
    /// told apart by the extension (.csv; .jsonl, .ndjson, .json) or, failing
    /// that, by the first character. `-` reads stdin (copied to a temporary
    /// file first, removed afterwards).
    ///
    /// Tickets may be interleaved and events in any order; the clocks are the
    /// same. The file is read twice: once for the line of each ticket's last
    /// event, then to evaluate and print each ticket as soon as that line is
    /// read. Memory holds the tickets still in progress (one at a time when
    /// the file is grouped by ticket) plus about 40 bytes per ticket.
    ///
    /// Output order: tickets in the order of their last events in the input,
    /// each ticket's lines together, by metric then cycle. A malformed event
    /// stops the run at its line (exit status 1); tickets completed before
    /// that line have already been printed.
    ///
    /// JSON output: one line per ticket, metric and cycle:
    ///   {"ticket":"T-1","metric":"first_response","cycle":1,"state":"met","target_s":14400,
    ///    "elapsed_s":3600,"paused_s":0,"paused_by_reason":{},"remaining_s":10800,
    ///    "deadline":null,"breached_at":null,"started_at":"…","stopped_at":"…"}
    /// A ticket whose events are inconsistent gets {"ticket":"T-2","error":"…"}
    /// instead, the others are still printed, and the exit status is 1.
    /// Tickets opened after --at are left out. `--format table` aligns its
    /// columns, so it holds every row until the end.
    #[command(verbatim_doc_comment)]
    Clocks(ClocksArgs),
    /// Replay milestone events against a contract and print every milestone
    ///
    /// EVENTS is JSON Lines, one event an object (SPEC §10):
    ///   {"milestone": "pipeline-live", "kind": "deliverable_received", "deliverable": "1",
    ///    "at": "2026-02-18T10:00:00+01:00"}
    /// kinds: deliverable_received (deliverable), shifted (days, reason), paused (reason),
    /// resumed, completed, accepted; optional id, by, note. `-` reads stdin.
    ///
    /// Each milestone's due date moves by the business days of its calendar
    /// that the client's late deliverables and pauses cost (counted once
    /// where they overlap) plus any agreed shifts (SPEC §6). Events may come
    /// in any order and repeat; events after --at are left out.
    ///
    /// JSON output: an array with one object per milestone of the contract:
    ///   {"milestone":"pipeline-live","name":"…","baseline_due":"2026-03-31",
    ///    "adjusted_due":"2026-04-09","client_delay_days":3,"shift_days":2,
    ///    "state":"on_track","deliverables":[…],"pauses":[…],"ledger":[…],
    ///    "next_change_at":"2026-04-09T22:00:00Z", …}
    /// A bad event stops the run with its line and field (exit status 1) and
    /// nothing is printed on stdout.
    #[command(verbatim_doc_comment)]
    Milestones(MilestonesArgs),
    /// Turn time entries into invoices: rounding, rates, prepaid blocks, overage, tax
    ///
    /// ENTRIES is JSON Lines, one entry an object (SPEC §10):
    ///   {"id": "E-1", "person": "sam@provider.example", "start": "2026-03-02T09:00:00+01:00",
    ///    "end": "2026-03-02T10:10:00+01:00", "activity": "development", "ticket": "T-1"}
    /// (`minutes` instead of `end`; optional `milestone`, `billable` = billable |
    /// non_billable | no_charge, `rate` as a decimal string, `note`), or CSV
    /// with a header row of the same names, told apart as for `accord clocks`.
    ///
    /// Every entry is read (blocks drawn in earlier months stay drawn), then
    /// each invoice is cut out: with --period, that month's invoice (JSON: one
    /// object); without it, one invoice per month (per quarter when the
    /// contract says invoice_every = "quarter") holding the work date of a
    /// billable or no_charge entry (JSON: an array, oldest first). A block's
    /// price is invoiced in the period of its first valid day.
    ///
    /// --credits is a service credit offered as a document-level allowance
    /// (needs --period). --number numbers the first invoice; the trailing
    /// digits count up for the next ones. The issue date is the day after the
    /// period unless --issue-date says otherwise.
    ///
    /// CSV output: one row per entry (or part of a split entry) and per block
    /// price, with the line it is on and the line's amount.
    ///
    /// html, pdf, cii and ubl write one invoice (choose the month with --period):
    /// the invoice a client reads, or an EN 16931 e-invoice (CII as in Factur-X/
    /// ZUGFeRD EN 16931, or UBL 2.1) with seller and buyer from the contract's
    /// [parties]; an e-invoice is refused, naming each missing field.
    #[command(verbatim_doc_comment)]
    Invoice(InvoiceArgs),
    /// Compliance statements: objectives, breaches, paused time and service credits per period
    ///
    /// Replays ticket events (the format of `accord clocks`) against a
    /// contract and states, per period of the contract's reporting zone
    /// (its `report_timezone`, else the zone of the calendar most priorities
    /// use), how each objective was honoured (SPEC §7): every clock counts
    /// once, in the period holding its outcome instant (met: when it
    /// stopped; breached: its breach instant), evaluated with the events
    /// before the period's end. Without --period, every month from the
    /// first event's to the last event's.
    ///
    /// Objectives are measured over their own period: a month's statement
    /// shows monthly objectives, and quarterly ones in the quarter's last
    /// month; a quarter's statement shows each month's and the quarter's.
    ///
    /// JSON (the default): with --period one statement object, else an
    /// array of them, in period order:
    ///   {"contract","period","start","end","zone",
    ///    "objectives":[{"metric","priority","period","measured","met","share","objective","status"}],
    ///    "breaches":[{"ticket","metric","cycle","priority","breached_at","state","elapsed_s",
    ///                 "target_s","cause":{"paused_by_reason":{…},"pauses":[{"reason","waiting_on","from","to"}],
    ///                 "last_event":{"kind","at","by"}}}],
    ///    "excluded":[…],"paused_by_reason":{"approval":3600,…},"provider_s":…,
    ///    "clocks":{"measured","met","breached"},
    ///    "credits":{"currency","total":"125.00","period_fee","cap","cap_applied","rules":[…]},
    ///    "milestones":[{"milestone","name","baseline_due","adjusted_due","client_delay_days",
    ///                   "shift_days","state","miss"}],
    ///    "hours_by_activity":{"development":{"raw_s","billed_s",
    ///                         "by_kind":{"billable":{"raw_s","billed_s"},…}},…}}
    /// "milestones" (with --milestone-events) lists every milestone of the
    /// contract as of the period's end, with the milestone events before it;
    /// "miss" is "provider" for a missed milestone, else null; dates are
    /// YYYY-MM-DD. "hours_by_activity" (with --entries) sums the entries
    /// whose start falls in the period in the reporting zone: raw seconds,
    /// and billed seconds rounded per entry as on the invoice (0 for
    /// non_billable); by_kind is billable, non_billable, no_charge. Without
    /// the flag a section is empty ([] or {}).
    /// Shares are decimal numbers (met ÷ measured; null with no data), money
    /// decimal strings, durations whole seconds, instants RFC 3339 UTC.
    ///
    /// HTML: the statement for the client's executive, first a page with one
    /// sentence per objective, then charts (share against objective for the
    /// period and the 11 before it, breaches per week, paused time by reason,
    /// credits) and the detail. PDF: the same words and tables.
    ///
    /// CSV: one row per counted clock, so every figure can be re-derived:
    ///   period,ticket,metric,cycle,priority,outcome,state,outcome_at,elapsed_s,target_s,
    ///   paused_s,paused_<reason>_s (one column per reason the contract allows)
    ///
    /// Memory holds the tickets in progress and the statements' breaches,
    /// not the file. A ticket whose events are inconsistent stops the run
    /// with an error naming its line (exit status 1) and nothing is written.
    ///
    /// Example:
    ///   accord report --contract examples/acme.contract.toml --events examples/acme.events.jsonl --period 2026-03
    #[command(verbatim_doc_comment)]
    Report(ReportArgs),
    /// Run the Accord service: the web app for staff and clients, the JSON API, health and metrics
    ///
    /// Settings come from, in increasing precedence: defaults, the TOML file
    /// given with --config (print an example with --example-config), the
    /// environment (ACCORD_LISTEN, ACCORD_DATA_DIR, ACCORD_DATABASE_URL,
    /// ACCORD_LOG_FORMAT) and these flags.
    ///
    /// The database is an embedded SQLite file, DATA_DIR/accord.db, created
    /// and migrated on first start; give a postgres:// URL to share one
    /// PostgreSQL database between several servers. The API is under
    /// /api/v1 (described at /api/v1/openapi.json) and needs a bearer token:
    /// create one with `accord user add` and `accord token create`.
    /// Operations: /healthz, /readyz, /metrics (Prometheus text).
    ///
    /// SIGINT (Ctrl-C) or SIGTERM stops accepting connections, finishes the
    /// requests in flight, then exits.
    #[command(verbatim_doc_comment)]
    Serve(ServeArgs),
    /// Create or upgrade the database schema, then exit (`serve` also does this at start).
    Migrate(DatabaseArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// A TOML configuration file (see --example-config).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log lines for people (`text`) or for log collectors (`json`) [default: text].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub log_format: Option<LogFormatArg>,
    /// Print an example configuration file with every setting and exit.
    #[arg(long)]
    pub example_config: bool,
    /// Seed a demo on first start: a provider, three clients under the example
    /// contracts, users with credentials printed once, and a few hundred tickets
    /// with event histories over the last 90 days. Nothing is added to a
    /// database that already holds data.
    #[arg(long)]
    pub demo: bool,
}

/// Where the database is.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB
    /// [default: sqlite://DATA_DIR/accord.db; env: ACCORD_DATABASE_URL].
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Directory of the embedded SQLite database [default: ./accord-data; env: ACCORD_DATA_DIR].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// `--log-format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user account and print its password once
    ///
    /// Staff (admin, agent) see every client; a client user (role client)
    /// sees only the organisation named by --client, which must exist
    /// (add --create-client to create it). Without --password-stdin a random password is
    /// generated and printed once; only its Argon2id hash is stored.
    ///
    /// Example (the first admin of a new installation):
    ///   accord user add --email ana@provider.example --name "Ana Diaz" --role admin
    #[command(verbatim_doc_comment)]
    Add(UserAddArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// Login e-mail (unique, case-insensitive).
    #[arg(long, value_name = "EMAIL")]
    pub email: String,
    /// Display name.
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// What the user may see and do.
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// The client organisation of a `client` user, by name.
    #[arg(long, value_name = "NAME", required_if_eq("role", "client"))]
    pub client: Option<String>,
    /// Create the --client organisation if none has that name (otherwise
    /// an unknown name is refused, naming the closest existing client).
    #[arg(long, requires = "client")]
    pub create_client: bool,
    /// Read the password from the first line of stdin instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `--role` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// Provider staff who administer the installation.
    Admin,
    /// Provider staff who work tickets.
    Agent,
    /// A user of one client organisation (needs --client).
    Client,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token acting as a user and print its secret once
    ///
    /// Send it as `Authorization: Bearer accord_...`; only its SHA-256 is
    /// stored, so a lost secret cannot be shown again: create another.
    ///
    /// Example:
    ///   accord token create --email ana@provider.example --name "ticket sync"
    #[command(verbatim_doc_comment)]
    Create(TokenCreateArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The e-mail of the user the token acts as.
    #[arg(long, value_name = "EMAIL")]
    pub email: String,
    /// What the token is for, to recognise it later.
    #[arg(long, value_name = "NAME")]
    pub name: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Check contract files and report every problem, each with file, line, column and a fix.
    ///
    /// Prints `FILE: ok` on stdout for each valid file; for an invalid one,
    /// every problem on stderr, like a compiler:
    ///   error: `4hrs` is not a duration for `first_response`: unknown unit `hrs` ...
    ///     --> acme.contract.toml:48:18
    ///      |
    ///   48 | first_response = "4hrs"
    ///      |                  ^^^^^^
    ///      = help: write hours and minutes like "4h", "90m" or "1h30m"
    /// Holiday files are read relative to each contract.
    ///
    /// Exit status: 0 when every file is valid, 1 otherwise.
    ///
    /// Example:
    ///   accord contract check examples/*.contract.toml
    ///   accord contract check --format json acme.contract.toml
    #[command(verbatim_doc_comment)]
    Check(CheckArgs),
    /// Render the SLA appendix that is signed with the contract.
    ///
    /// The appendix states the contract in words: parties and their duties,
    /// support hours and holidays, targets per priority, what pauses the
    /// clock, warnings and reporting, objectives and service credits with a
    /// worked example, escalation, milestones, billing and review dates.
    ///
    /// Example:
    ///   accord contract render examples/acme.contract.toml --format pdf -o acme-sla.pdf
    #[command(verbatim_doc_comment)]
    Render(RenderArgs),
    /// List every change between two versions of a contract, in plain words.
    ///
    /// Exit status: 0 when NEW is a valid amendment of OLD or the same terms
    /// ("no changes"), 1 when it changes terms without moving
    /// `effective_from` forward (an amendment takes effect later than the
    /// version it replaces) or a file is invalid.
    ///
    /// Example:
    ///   accord contract diff examples/acme.contract.toml examples/acme-v2.contract.toml
    ///   effective from: 1 January 2026 -> 1 July 2026
    ///   holiday (calendar support) added: Thursday 31 December 2026
    ///   critical first response: 4 business hours -> 2 business hours
    #[command(verbatim_doc_comment)]
    Diff(DiffArgs),
    /// Say when the contract's next review is due.
    ///
    /// Reviews fall every `review_every` period after `effective_from`, while
    /// the contract is in force.
    ///
    /// Example:
    ///   accord contract review-due examples/acme.contract.toml --today 2026-03-20
    ///   acme-2026: next review due 2026-04-01 (quarterly), in 12 days
    #[command(verbatim_doc_comment)]
    ReviewDue(ReviewDueArgs),
    /// Export the contract's objectives for other tools.
    ///
    /// `--format openslo` writes one OpenSLO v1 `SLO` document per objective
    /// (a YAML stream): a calendar-aligned time window of the objective's
    /// period (1M or 1Q, from the period holding `effective_from`, in the
    /// reporting zone), occurrences budgeting, and target = within_target,
    /// over a ratio of clocks met to clocks measured.
    ///
    /// Example:
    ///   accord contract export --format openslo examples/acme.contract.toml -o acme.openslo.yaml
    #[command(verbatim_doc_comment)]
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The contract file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// What to export as.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

/// Formats `contract export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// OpenSLO v1 `SLO` documents (YAML).
    Openslo,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The contract file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DocumentFormat::Html)]
    pub format: DocumentFormat,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

/// Formats a document can be rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocumentFormat {
    /// A self-contained HTML page.
    Html,
    /// Markdown (CommonMark with tables).
    Md,
    /// PDF (A4), rendered in-process.
    Pdf,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The version in force.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The amendment.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
}

#[derive(Debug, Args)]
pub struct ReviewDueArgs {
    /// The contract file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The day to count from, as YYYY-MM-DD (default: today in the local time zone).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Contract files to check.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// `text` for people; `json` prints one array of
    /// {file, line, column, message, help} on stdout (empty when all are valid).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// How `check` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Compiler-style messages.
    Text,
    /// A JSON array of problems.
    Json,
}

#[derive(Debug, Args)]
pub struct ClocksArgs {
    #[command(flatten)]
    pub contract: ContractArg,
    /// The ticket events: JSON Lines or CSV, `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// Evaluate the clocks at this RFC 3339 instant; later events are ignored. Default: now.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub at: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ClocksFormat::Json)]
    pub format: ClocksFormat,
}

#[derive(Debug, Args)]
pub struct InvoiceArgs {
    #[command(flatten)]
    pub contract: ContractArg,
    /// The time entries: JSON Lines or CSV, `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub entries: PathBuf,
    /// The month (YYYY-MM) or quarter (YYYY-Qn) to invoice. Default: every period present.
    #[arg(long, value_name = "YYYY-MM")]
    pub period: Option<String>,
    /// Service credits to deduct, in the contract's currency, e.g. 125.00.
    #[arg(long, value_name = "AMOUNT")]
    pub credits: Option<String>,
    /// The invoice number (of the first invoice).
    #[arg(long, value_name = "N")]
    pub number: Option<String>,
    /// The issue date, YYYY-MM-DD. Default: the day after the period.
    #[arg(long, value_name = "DATE")]
    pub issue_date: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InvoiceFormat::Json)]
    pub format: InvoiceFormat,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The contract file.
    #[arg(long, value_name = "FILE")]
    pub contract: PathBuf,
    /// The ticket events: JSON Lines or CSV, `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// The period: a month as YYYY-MM or a quarter as YYYY-Qn. Default: every month with events.
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<String>,
    /// Milestone events (JSON Lines, `-` for stdin): adds the milestones section.
    #[arg(long, value_name = "FILE")]
    pub milestone_events: Option<PathBuf>,
    /// Time entries (JSON Lines or CSV, `-` for stdin): adds hours worked by activity.
    #[arg(long, value_name = "FILE")]
    pub entries: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
    pub format: ReportFormat,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

/// How `accord invoice` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InvoiceFormat {
    /// The invoice with its lines, entries, prepaid blocks and totals.
    Json,
    /// One row per entry part, for a spreadsheet.
    Csv,
    /// The invoice a client reads, as one HTML page (one invoice).
    Html,
    /// The same invoice as PDF (one invoice).
    Pdf,
    /// EN 16931 e-invoice in UN/CEFACT CII, the Factur-X/ZUGFeRD EN 16931 profile.
    Cii,
    /// EN 16931 e-invoice in OASIS UBL 2.1.
    Ubl,
}

/// How `accord report` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// The statements as JSON (SPEC §10).
    Json,
    /// One row per counted clock.
    Csv,
    /// A summary for people.
    Table,
    /// The statement as an HTML page with SVG charts (the last period's,
    /// with up to 11 earlier periods as history).
    Html,
    /// The statement as PDF (summary and tables; the charts are in HTML).
    Pdf,
}

/// How `accord clocks` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClocksFormat {
    /// One JSON object per line.
    Json,
    /// An aligned table for people.
    Table,
}

#[derive(Debug, Args)]
pub struct MilestonesArgs {
    #[command(flatten)]
    pub contract: ContractArg,
    /// The milestone events: JSON Lines, `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// Evaluate the milestones at this RFC 3339 instant; later events are ignored. Default: now.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub at: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MilestonesFormat::Json)]
    pub format: MilestonesFormat,
}

/// How `accord milestones` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MilestonesFormat {
    /// A JSON array, one object per milestone.
    Json,
    /// A table of the milestones, then each one's ledger, for people.
    Table,
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Print the instant at which a business duration counted from START runs out
    ///
    /// Counting starts at the next opening when START is in closed time; a
    /// deadline reached exactly at closing time is that closing instant.
    ///
    /// Example:
    ///   accord calendar deadline --contract acme.contract.toml --calendar support \
    ///     --start 2026-01-02T15:00:00Z --minutes 120
    ///   2026-01-05T09:00:00Z
    #[command(verbatim_doc_comment)]
    Deadline(DeadlineArgs),
    /// Print the business time between START and END, in whole seconds
    ///
    /// Example:
    ///   accord calendar elapsed --contract acme.contract.toml --calendar support \
    ///     --start 2026-01-02T15:00:00Z --end 2026-01-05T09:00:00Z
    ///   7200
    #[command(verbatim_doc_comment)]
    Elapsed(ElapsedArgs),
    /// Answer many questions at once: JSON Lines on stdin, one answer line per input line
    ///
    /// Each input line is one of
    ///   {"calendar": "support", "op": "deadline", "start": "2026-01-02T15:00:00Z", "minutes": 120}
    ///   {"calendar": "support", "op": "deadline", "start": "2026-01-02T15:00:00Z", "seconds": 7200}
    ///   {"calendar": "support", "op": "elapsed", "start": "2026-01-02T15:00:00Z", "end": "2026-01-05T09:00:00Z"}
    /// and is answered, in order, by exactly one line:
    ///   {"result": "2026-01-05T09:00:00Z"}   (deadline: RFC 3339, UTC, to the second)
    ///   {"result": 7200}                     (elapsed: whole seconds)
    ///   {"error": "line 3: ..."}             (the line's problem; the batch goes on)
    /// Input is streamed: memory stays constant however long it is.
    #[command(verbatim_doc_comment)]
    Batch(ContractArg),
}

#[derive(Debug, Args)]
pub struct ContractArg {
    /// The contract file whose calendars to use.
    #[arg(long, value_name = "FILE")]
    pub contract: PathBuf,
}

#[derive(Debug, Args)]
pub struct CalendarArgs {
    #[command(flatten)]
    pub contract: ContractArg,
    /// Name of the calendar in the contract (a `[calendars.NAME]` table).
    #[arg(long, value_name = "NAME")]
    pub calendar: String,
    /// Where counting starts: an RFC 3339 instant with any offset, e.g. 2026-03-02T09:00:00+01:00.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub start: String,
}

#[derive(Debug, Args)]
pub struct DeadlineArgs {
    #[command(flatten)]
    pub at: CalendarArgs,
    #[command(flatten)]
    pub duration: DurationArgs,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct DurationArgs {
    /// Business minutes to count.
    #[arg(long, value_name = "N")]
    pub minutes: Option<i64>,
    /// Business seconds to count.
    #[arg(long, value_name = "N")]
    pub seconds: Option<i64>,
}

#[derive(Debug, Args)]
pub struct ElapsedArgs {
    #[command(flatten)]
    pub at: CalendarArgs,
    /// Where counting ends: an RFC 3339 instant, not before START.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub end: String,
}
