import Foundation

/// Weight initialisers, named as in Keras. Initial weights do not depend on the data, so
/// their randomness has no privacy role.
public enum Initializer: String, Sendable, CaseIterable, Codable {
    case glorotUniform = "glorot_uniform"
    case glorotNormal = "glorot_normal"
    case heNormal = "he_normal"
    case heUniform = "he_uniform"
    case lecunNormal = "lecun_normal"
    case zeros
    case ones

    /// Values for a `fanIn × fanOut` kernel.
    public func values(count: Int, fanIn: Int, fanOut: Int, using generator: inout any RandomNumberGenerator) -> [Float] {
        let fi = Double(max(fanIn, 1)), fo = Double(max(fanOut, 1))
        switch self {
        case .zeros: return [Float](repeating: 0, count: count)
        case .ones: return [Float](repeating: 1, count: count)
        case .glorotUniform: return Self.uniform(count: count, limit: (6 / (fi + fo)).squareRoot(), &generator)
        case .heUniform: return Self.uniform(count: count, limit: (6 / fi).squareRoot(), &generator)
        // Keras draws these from a normal truncated at 2σ; 0.87962566 rescales its std to the target.
        case .glorotNormal: return Self.truncatedNormal(count: count, std: (2 / (fi + fo)).squareRoot() / 0.87962566, &generator)
        case .heNormal: return Self.truncatedNormal(count: count, std: (2 / fi).squareRoot() / 0.87962566, &generator)
        case .lecunNormal: return Self.truncatedNormal(count: count, std: (1 / fi).squareRoot() / 0.87962566, &generator)
        }
    }

    static func uniform(count: Int, limit: Double, _ g: inout any RandomNumberGenerator) -> [Float] {
        (0..<count).map { _ in Float(Double.random(in: -limit...limit, using: &g)) }
    }

    static func truncatedNormal(count: Int, std: Double, _ g: inout any RandomNumberGenerator) -> [Float] {
        var out = [Float]()
        out.reserveCapacity(count)
        while out.count < count {
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &g), u2 = Double.random(in: 0..<1, using: &g)
            let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            if abs(z) <= 2 { out.append(Float(z * std)) }
        }
        return out
    }
}
