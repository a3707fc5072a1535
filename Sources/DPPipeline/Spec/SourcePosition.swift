/// A place in a pipeline file: the file path as the user gave it, and a 1-based line and column.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    /// The file path as given on the command line (or `<string>` for in-memory pipelines).
    public var file: String
    /// Line number, starting from 1.
    public var line: Int
    /// Column number in Unicode scalars, starting from 1.
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the prefix compilers use.
    public var description: String { "\(file):\(line):\(column)" }
}
