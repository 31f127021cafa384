//! A QR code of a URL drawn with Unicode half blocks, so a phone can open the verification page.

use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;

/// The QR code of `url` as terminal text (light modules drawn as blocks, which reads well on
/// the usual dark terminal), or `None` when the URL is too long to encode.
pub fn render(url: &str) -> Option<String> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_square_of_half_blocks() {
        let text = render("http://127.0.0.1:8080/device?user_code=ABCD-EFGH").unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() > 10, "too few lines: {}", lines.len());
        let width = lines[0].chars().count();
        // Two module rows per text line: the height in lines is about half the width.
        assert!(lines.iter().all(|l| l.chars().count() == width));
        assert!((lines.len() * 2).abs_diff(width) <= 2);
        assert!(text.contains('█') || text.contains('▀') || text.contains('▄'));
    }

    #[test]
    fn refuses_data_beyond_capacity() {
        assert!(render(&"x".repeat(5000)).is_none());
    }
}
