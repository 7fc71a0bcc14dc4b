//! Print what the decoder finds in FIT files: `cargo run -p runtall-fit --example fitinfo -- FILE...`.

fn main() {
    for path in std::env::args().skip(1) {
        match runtall_fit::decode_file(&path) {
            Ok(a) => {
                println!(
                    "{path}: records {} laps {} sessions {} events {} devices {} data {} skipped {} files {} hdr_crc {} file_crc {}",
                    a.records.len(),
                    a.laps.len(),
                    a.sessions.len(),
                    a.events.len(),
                    a.devices.len(),
                    a.stats.data_messages,
                    a.stats.skipped_messages,
                    a.stats.chained_files,
                    a.stats.header_crc_ok,
                    a.stats.file_crc_ok
                );
                for w in &a.warnings {
                    println!("  warning {w}");
                }
            }
            Err(e) => println!("{path}: error: {e}"),
        }
    }
}
