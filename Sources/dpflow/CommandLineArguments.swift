/// Checks on the raw command line that ArgumentParser would report confusingly.
enum CommandLineArguments {
    /// Exit status of a command-line usage error (ArgumentParser's own is 64).
    static let usageExitCode: Int32 = 2

    /// A negative number after an option (`--epochs -5`) reads as an unknown option to ArgumentParser, which then
    /// says "Missing value"; say what is wrong instead. No dpflow option takes a negative number.
    static func negativeNumberProblem(_ arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() where index > 0 {
            guard argument.count > 1, argument.hasPrefix("-"), Double(argument) != nil else { continue }
            let option = arguments[index - 1]
            if option == "--" { return nil }
            if option.hasPrefix("-") && Double(option) == nil {
                return "\(option) \(argument): negative numbers are not accepted; \(option) takes a number ≥ 0"
            }
            return "'\(argument)': negative numbers are not accepted as arguments"
        }
        if let first = arguments.first, first.count > 1, first.hasPrefix("-"), Double(first) != nil {
            return "'\(first)': negative numbers are not accepted as arguments"
        }
        return nil
    }
}
