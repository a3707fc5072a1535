import Foundation

/// Printing privacy amounts: ε and δ are rounded **up** to 4 significant digits, so a printed figure is never
/// below the amount spent (1.97970 prints as 1.98, 2.00004 as 2.001).
public enum PrivacyFormat {
    public static func string(_ x: Double) -> String {
        guard x.isFinite, x != 0 else { return x == 0 ? "0" : String(x) }
        let exponent = Foundation.floor(Foundation.log10(Swift.abs(x)))
        let scale = Foundation.pow(10, 3 - exponent)
        let rounded = (x * scale).rounded(.up) / scale
        return String(format: "%.4g", rounded)
    }
}
