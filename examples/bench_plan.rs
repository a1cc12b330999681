//! Print a synthetic plan of N regions (argument, default 16): used by the
//! benchmark scripts.

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(16);
    print!("{}", streamscale::synthetic::plan_text(n));
}
