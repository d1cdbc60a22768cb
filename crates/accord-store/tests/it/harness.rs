//! The conformance suite's harness: [`TestDb`] (from the `testing`
//! feature) and `both!`, which runs one test body on each backend.

pub use accord_store::testing::TestDb;

/// Runs one test body against both backends: `both!(name, body)` where
/// `body` is an `async fn(&TestDb)`.
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = crate::harness::TestDb::sqlite().await;
                super::$name(&db).await;
                db.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = crate::harness::TestDb::postgres().await else {
                    return;
                };
                super::$name(&db).await;
                db.finish().await;
            }
        }
    };
}
pub(crate) use both;
