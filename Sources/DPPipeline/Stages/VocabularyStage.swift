import Foundation
import PrivateDataFrame

/// `vocabulary: {column: review, hash: 16384}` — how a text feature column becomes token ids (0 padding, 1 unknown):
/// - `file: PATH`: a public vocabulary file (one token per line), no privacy cost;
/// - `hash: N`: N hash buckets (fixed FNV-1a), no cost, no data dependence;
/// - `dp: {size: 5000, epsilon: 0.5, delta: 1e-6, max_tokens_per_document: 10}`: the tokens of a DP partition
///   selection over the training part's per-document token sets (`DPVocabularySelection`), charged (ε, δ) as this
///   stage's own line and reserved with the rest of the run before any data is read; the selected tokens (a DP release)
///   are written to the output folder as `vocabulary_<column>.txt`;
/// - `exact: {size: N}`: the N tokens found in the most training documents, exactly — **NOT PRIVATE** (the run is
///   labelled so); for the not-private comparison runs only.
///
/// Place it after `select` (and after `split`, so that only the training part is read).
public struct VocabularyStage: PipelineStage {
    public static let kind = "vocabulary"

    /// The vocabulary choice.
    public enum Choice: Sendable {
        case file(String)
        case hash(Int)
        case dp(DPVocabularySpec)
        case exact(Int)
    }

    public var position: SourcePosition
    /// The text column; nil: the only text column among the features.
    public var column: String?
    public var columnPosition: SourcePosition
    public var choice: Choice
    public var choicePosition: SourcePosition

    public var inputs: [PipelineArtifact] { [.selection] }

    /// δ of a DP vocabulary when `dp.delta` is not given.
    public static let defaultDelta = 1e-6
    /// k of a DP vocabulary when `dp.max_tokens_per_document` is not given.
    public static let defaultMaxTokensPerDocument = 10

    public static let definition = StageDefinition(
        name: kind, summary: "Choose how a text column becomes token ids: a public file, hash buckets, or a DP vocabulary.",
        keys: [
            .init("column", "column", "the text feature column (default: the only text feature)"),
            .init("file", "path", "public vocabulary file, one token per line, relative to the pipeline file (no privacy cost)"),
            .init("hash", "integer in [1, 4194304]", "hash buckets (FNV-1a, fixed and public; no privacy cost)"),
            .init("dp", "mapping", "{size, epsilon, delta (default 1e-6), max_tokens_per_document (k, default 10)}: DP partition selection over the training part's per-document token sets, charged (ε, δ)"),
            .init("exact", "mapping", "{size}: the most frequent tokens of the training part, exactly — NOT PRIVATE (comparison runs only)"),
        ],
        decode: { value, diagnostics in
            guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
            let columnValue = r.optional("column")
            let column = r.string("column", diagnostics: &diagnostics)
            let present = ["file", "hash", "dp", "exact"].compactMap { key in r.optional(key).map { (key, $0) } }
            r.finish(diagnostics: &diagnostics)
            guard present.count == 1, let first = present.first else {
                let at = present.count > 1 ? present[1].1.position : value.position
                diagnostics.error(at, "'\(value.path)' needs exactly one of file, hash, dp or exact")
                return nil
            }
            let (key, v) = first
            let choice: Choice?
            switch key {
            case "file":
                guard let path = v.stringValue, v.mappingEntries == nil, !path.isEmpty else {
                    diagnostics.error(v.position, "'\(v.path)' must be a path, found \(v.typeName)")
                    return nil
                }
                choice = .file(path)
            case "hash":
                guard let n = v.intValue, (1...TokenVocabulary.maxEntries).contains(n) else {
                    diagnostics.error(v.position, "'\(v.path)' must be an integer in [1, \(TokenVocabulary.maxEntries)]")
                    return nil
                }
                choice = .hash(n)
            case "dp":
                guard var m = SpecMappingReader(v, what: "'\(v.path)'", diagnostics: &diagnostics) else { return nil }
                let size = m.int("size", required: true, in: 1...TokenVocabulary.maxEntries, diagnostics: &diagnostics)
                let eps = m.double("epsilon", required: true, "in (0, 100]", { $0 > 0 && $0 <= 100 }, diagnostics: &diagnostics)
                let delta = m.double("delta", "in [1e-15, 0.1]", { $0 >= 1e-15 && $0 <= 0.1 }, diagnostics: &diagnostics)
                let k = m.int("max_tokens_per_document", in: 1...TextColumnSpec.maxLengthLimit, diagnostics: &diagnostics)
                m.finish(diagnostics: &diagnostics)
                guard let size, let eps else { return nil }
                let spec = DPVocabularySpec(size: size, epsilon: eps, delta: delta ?? VocabularyStage.defaultDelta,
                                            maxTokensPerDocument: k ?? VocabularyStage.defaultMaxTokensPerDocument)
                do { _ = try DPVocabularySelection.parameters(spec) } catch {
                    diagnostics.error(v.position, "'\(v.path)': \(error)")
                    return nil
                }
                choice = .dp(spec)
            default:
                guard var m = SpecMappingReader(v, what: "'\(v.path)'", diagnostics: &diagnostics) else { return nil }
                let size = m.int("size", required: true, in: 1...TokenVocabulary.maxEntries, diagnostics: &diagnostics)
                m.finish(diagnostics: &diagnostics)
                choice = size.map { Choice.exact($0) }
            }
            guard let choice else { return nil }
            return VocabularyStage(position: value.position, column: column, columnPosition: columnValue?.position ?? value.position,
                                   choice: choice, choicePosition: v.position)
        })

    /// The text column: named, or the only text feature.
    func textColumn(_ context: ResolutionContext) -> String? {
        if let column { return column }
        let texts = (context.features ?? []).filter { context.schema?.column(named: $0)?.kind == .text }
        return texts.count == 1 ? texts[0] : nil
    }

    public func resolve(_ context: inout ResolutionContext) {
        guard let name = textColumn(context) else {
            context.diagnostics.error(columnPosition, "'vocabulary' needs 'column': the features have "
                                      + "\((context.features ?? []).filter { context.schema?.column(named: $0)?.kind == .text }.count) text columns")
            return
        }
        guard let declared = context.schema?.column(named: name), declared.kind == .text else {
            context.diagnostics.error(columnPosition, "vocabulary column '\(name)' must be declared in the schema with type: text")
            return
        }
        if let features = context.features, !features.contains(name) {
            context.diagnostics.error(columnPosition, "vocabulary column '\(name)' is not a selected feature")
        }
        if context.vocabularySizes[name] != nil {
            context.diagnostics.error(position, "column '\(name)' has a vocabulary already")
        }
        switch choice {
        case .file(let path):
            do {
                let v = try TokenVocabulary.load(publicFile: context.path(path), lowercase: declared.text?.lowercase ?? true)
                context.vocabularySizes[name] = v.size
            } catch {
                context.diagnostics.error(choicePosition, "\(error)")
            }
        case .hash(let n): context.vocabularySizes[name] = n + 2
        case .dp(let spec): context.vocabularySizes[name] = spec.size + 2
        case .exact(let n): context.vocabularySizes[name] = n + 2
        }
    }

    public func cost(_ context: PlanningContext) throws -> StageCost {
        let name = column ?? "text"
        switch choice {
        case .file(let path):
            return StageCost(epsilon: 0, delta: 0, detail: "public vocabulary file '\(path)' for '\(name)' (ids: 0 padding, 1 unknown): no privacy cost")
        case .hash(let n):
            return StageCost(epsilon: 0, delta: 0, detail: "hashing vocabulary for '\(name)': \(n) buckets (FNV-1a, public), \(n + 2) ids: no privacy cost")
        case .dp(let spec):
            var charged = spec
            if context.relation == .replaceOne { charged.epsilon = spec.epsilon / DPVocabularySpec.replaceOneFactor }
            do {
                let detail = try charged.planDescription(column: name)
                return StageCost(epsilon: spec.epsilon, delta: spec.delta, detail: context.relation == .replaceOne
                                 ? detail + " — noise for ε/2 per replaced document, charged ε = \(PrivacyFormat.string(spec.epsilon))" : detail)
            } catch {
                throw PipelineError.invalidPipeline([PipelineDiagnostic(choicePosition, "\(error)")])
            }
        case .exact(let n):
            return StageCost(epsilon: 0, delta: 0, detail: "exact vocabulary of '\(name)': the \(n) most frequent training tokens — NOT PRIVATE")
        }
    }
}
