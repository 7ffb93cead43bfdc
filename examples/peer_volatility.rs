//! Peer benchmark binary: rolling CLOSE_TO_CLOSE volatility (n = 20, 252
//! periods) + regime over a file of closes, for `benches/peers/volatility_peers.py`,
//! at the best instruction-set level of this CPU (`elson_sdk::simd`; its
//! name is printed as `simd_level`).
//!
//! ```sh
//! cargo run --release --example peer_volatility -- prices.f64 [--reps 5] [--out vol.f64]
//! ```
//! The input is raw little-endian f64 (`.f64`/`.bin`) or CSV/text with one
//! close per line (a non-numeric first line is skipped as a header). Prints
//! `key=value` lines: the best-of-`reps` wall time in ms of the fused
//! volatility + full regime series (level, confidence, count), of the lean
//! volatility + stabilized level form, of the volatility alone and of one
//! plain pass (a sum) over the same array. `--out` writes the volatility series (f64
//! LE, NaN before the window) and `--levels-out` the stabilized levels (one
//! byte per close: 255 none, 0 LOW … 3 EXTREME) for the script to compare.
use std::error::Error;
use std::hint::black_box;
use std::time::Instant;

use elson_sdk::core::regime::{NO_LEVEL, RegimeBuffers, RegimeConfig, detect_closes_to_on};
use elson_sdk::core::volatility::{VolatilityConfig, estimate_closes_into_on};
use elson_sdk::simd::Dispatch;

fn read_closes(path: &str) -> Result<Vec<f64>, Box<dyn Error>> {
    let bytes = std::fs::read(path)?;
    if path.ends_with(".f64") || path.ends_with(".bin") {
        if bytes.len() % 8 != 0 {
            return Err(
                format!("{path}: {} bytes is not a whole number of f64", bytes.len()).into()
            );
        }
        return Ok(bytes
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect());
    }
    let text = String::from_utf8(bytes)?;
    let mut closes = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let field = line.split(',').next_back().unwrap_or("").trim();
        match field.parse::<f64>() {
            Ok(x) => closes.push(x),
            Err(_) if i == 0 || field.is_empty() => {}
            Err(e) => return Err(format!("{path}:{}: {e}", i + 1).into()),
        }
    }
    Ok(closes)
}

fn best_ms<E>(reps: usize, mut f: impl FnMut() -> Result<(), E>) -> Result<f64, E> {
    let mut best = f64::INFINITY;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        f()?;
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok(best)
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut path = None;
    let (mut reps, mut out, mut levels_out) = (5usize, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--reps" => reps = it.next().ok_or("--reps needs a value")?.parse()?,
            "--out" => out = Some(it.next().ok_or("--out needs a path")?.clone()),
            "--levels-out" => {
                levels_out = Some(it.next().ok_or("--levels-out needs a path")?.clone())
            }
            p => path = Some(p.to_string()),
        }
    }
    let path = path.ok_or("usage: peer_volatility <closes.f64|closes.csv> [--reps N] [--out vol.f64] [--levels-out levels.u8]")?;
    let closes = read_closes(&path)?;
    let vol = VolatilityConfig::default();
    let regime = RegimeConfig::default();
    // The kernels at the best instruction-set level this CPU has
    // (`ELSON_SIMD=portable|v3|v4` lowers it), as the Python module runs them.
    let isa = Dispatch::chosen();

    let n = closes.len();
    let (mut volatility, mut codes) = (vec![0.0; n], vec![0i8; n]);
    let (mut confidence, mut count) = (vec![0.0; n], vec![0u32; n]);
    let mut fused_run = || {
        let out = RegimeBuffers {
            volatility: &mut volatility,
            level_code: &mut codes,
            confidence: Some(&mut confidence),
            stabilization_count: Some(&mut count),
        };
        detect_closes_to_on(black_box(&closes), &vol, &regime, out, isa)
    };
    fused_run()?; // warm-up: the pages of the outputs
    let fused = best_ms(reps, &mut fused_run)?;
    let (mut only_vol, mut lean_codes) = (vec![0.0; n], vec![0i8; n]);
    let levels_ms = best_ms(reps, || {
        let out = RegimeBuffers {
            volatility: &mut only_vol,
            level_code: &mut lean_codes,
            confidence: None,
            stabilization_count: None,
        };
        detect_closes_to_on(black_box(&closes), &vol, &regime, out, isa)
    })?;
    let vol_ms =
        best_ms(reps, || estimate_closes_into_on(black_box(&closes), &vol, &mut only_vol, isa))?;
    let mut sum = 0.0;
    let plain = best_ms(reps, || {
        sum = black_box(&closes).iter().sum::<f64>();
        Ok::<(), std::convert::Infallible>(())
    })?;

    println!("n={n}");
    println!("simd_level={}", isa.level().name());
    println!("rolling_vol_regime_ms={fused:.3}");
    println!("rolling_vol_levels_ms={levels_ms:.3}");
    println!("rolling_vol_ms={vol_ms:.3}");
    println!("plain_sum_ms={plain:.3}");
    println!("ratio_to_plain={:.2}", fused / plain);
    println!("checksum={sum:.6e}");
    if let Some(p) = out {
        let bytes: Vec<u8> = volatility.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(p, bytes)?;
    }
    if let Some(p) = levels_out {
        // 255 for none, else the level's code (0 LOW … 3 EXTREME).
        let bytes: Vec<u8> =
            codes.iter().map(|&c| if c == NO_LEVEL { 255 } else { c as u8 }).collect();
        std::fs::write(p, bytes)?;
    }
    Ok(())
}
