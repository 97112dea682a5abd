use std::sync::Arc;
use tokio::sync::Mutex;
use tokio::time::{sleep, Duration};

#[tokio::main]
async fn main() {
    let jar = Arc::new(Mutex::new(0));
    let mut handles = Vec::new();
    for _ in 0..2 {
        let jar = jar.clone();
        handles.push(tokio::spawn(async move {
            let mut cookies = jar.lock().await;
            sleep(Duration::from_millis(100)).await;
            *cookies += 1;
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(*jar.lock().await, 2);
}
