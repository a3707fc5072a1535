/// Where the noise of a DP release comes from.
public enum ReleaseNoise: Sendable, Equatable, Hashable {
    /// The operating system's CSPRNG (`getrandom(2)`, buffered). The default; the only private choice.
    case secure
    /// A seeded, reproducible, **not secure** generator, for tests only. Releases made with it
    /// are marked `isPrivate == false`.
    case seeded(UInt64)

    var isPrivate: Bool { self == .secure }
}
