import Foundation

/// Errors of the audit module. Messages name counts and parameters, never data values.
public enum PrivacyAuditError: Error, Sendable, Equatable, LocalizedError, CustomStringConvertible {
    /// An attack needs at least one member and one non-member score.
    case emptyScores(members: Int, nonMembers: Int)
    /// A score or loss was NaN or infinite (position given, value withheld).
    case nonFiniteScore(group: String, index: Int)
    /// A parameter outside its domain (confidence, δ, fractions, counts).
    case invalidParameter(String)

    public var description: String {
        switch self {
        case let .emptyScores(m, n):
            return "membership attack needs at least one member and one non-member score, got \(m) members and \(n) non-members"
        case let .nonFiniteScore(group, index):
            return "\(group)[\(index)] is not a finite number; drop or clamp non-finite losses before the attack"
        case let .invalidParameter(message):
            return message
        }
    }

    public var errorDescription: String? { description }
}
