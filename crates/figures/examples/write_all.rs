//! Writes every exercise's drawing to a folder, and an HTML page showing them all, for looking at them:
//! `cargo run -p runtall-figures --example write_all -- /tmp/figures`.

fn main() -> std::io::Result<()> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "figures".into()));
    std::fs::create_dir_all(&dir)?;
    let program = runtall_content::program();
    let mut page = String::from("<!doctype html><meta charset=utf-8><body style=\"font-family:sans-serif\">");
    for e in &program.exercises {
        let Some(svg) = runtall_figures::exercise_svg(program, &e.id) else { continue };
        std::fs::write(dir.join(format!("{}.svg", e.id)), &svg)?;
        page.push_str(&format!("<h3>{}</h3><img src=\"{}.svg\" style=\"max-width:100%\">", e.name, e.id));
        if let Some(lines) = runtall_figures::exercise_text(program, &e.id, 40, 6) {
            page.push_str(&format!("<pre>{}</pre>", lines.join("\n")));
        }
    }
    std::fs::write(dir.join("index.html"), page)?;
    println!("wrote {}", dir.join("index.html").display());
    Ok(())
}
