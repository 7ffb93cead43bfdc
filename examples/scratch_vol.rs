use elson_sdk::core::volatility::ln::fast_ln;
use std::hint::black_box;
use std::time::Instant;
fn cpu_ns() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse::<f64>()
        .unwrap()
}
fn t<F: FnMut()>(name: &str, mut f: F) {
    f();
    let mut best = f64::MAX;
    let mut bc = f64::MAX;
    for _ in 0..7 {
        let c = cpu_ns();
        let s = Instant::now();
        f();
        best = best.min(s.elapsed().as_secs_f64() * 1e3);
        bc = bc.min((cpu_ns() - c) / 1e6);
    }
    println!("{name:30} wall {best:8.2} ms  cpu {bc:8.2} ms");
}
fn main() {
    let n = 10_000_000;
    let xs: Vec<f64> = (0..n).map(|i| 100.0 + ((i * 7919) % 1000) as f64 * 0.01).collect();
    let mut out = vec![0.0; n];
    t("sum", || {
        black_box(black_box(&xs).iter().sum::<f64>());
    });
    t("ln fast", || {
        for (o, &x) in out.iter_mut().zip(black_box(&xs)) {
            *o = fast_ln(x);
        }
        black_box(&out);
    });
    t("ln std", || {
        for (o, &x) in out.iter_mut().zip(black_box(&xs)) {
            *o = x.ln();
        }
        black_box(&out);
    });
    t("sqrt", || {
        for (o, &x) in out.iter_mut().zip(black_box(&xs)) {
            *o = (x * 0.5).sqrt();
        }
        black_box(&out);
    });
    t("copy", || {
        for (o, &x) in out.iter_mut().zip(black_box(&xs)) {
            *o = x * 0.5;
        }
        black_box(&out);
    });
    let mut chunk = vec![0.0; 2048];
    t("ln fast chunked", || {
        for c in black_box(&xs).chunks(2048) {
            for (o, &x) in chunk.iter_mut().zip(c) {
                *o = fast_ln(x);
            }
            black_box(&chunk);
        }
    });
}
