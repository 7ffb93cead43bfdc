//! Quickstart: placeholder until the foundation lands.
fn main() {
    println!("{}", elson_sdk::core::enums::TradeSide::Buy);
}
