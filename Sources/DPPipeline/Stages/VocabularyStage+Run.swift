import Foundation
import PrivateDataFrame

extension VocabularyStage {
    /// Builds the vocabulary (reading the training part only for `dp`, after the run's up-front reservation, and for
    /// the not-private `exact`) and hands it to `train` and `predict` through `RunContext.vocabularies`.
    public func run(_ context: inout RunContext) throws {
        guard let frame = context.trainFrame else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no selection")
        }
        let texts = (context.pipeline.facts.features ?? []).filter { context.pipeline.facts.schema?.column(named: $0)?.kind == .text }
        guard let name = column ?? (texts.count == 1 ? texts[0] : nil) else {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "no text column")
        }
        let vocabulary: TokenVocabulary
        do {
            switch choice {
            case .file(let path):
                let full = (path as NSString).isAbsolutePath ? path : (context.directory as NSString).appendingPathComponent(path)
                let lowercase = context.pipeline.facts.schema?.column(named: name)?.text?.lowercase ?? true
                vocabulary = try TokenVocabulary.load(publicFile: full, lowercase: lowercase)
                context.log("vocabulary of '\(name)': public file '\(path)', \(vocabulary.size) ids (no privacy cost)")
            case .hash(let n):
                vocabulary = try TokenVocabulary(hashBuckets: n)
                context.log("vocabulary of '\(name)': \(n) hash buckets (no privacy cost)")
            case .dp(let declared):
                var spec = declared
                spec.epsilon = RunContext.releaseEpsilon(declared.epsilon, parts: 1)
                spec.delta = RunContext.releaseDelta(declared.delta, parts: 1)
                let result = try frame.releaseVocabulary(of: name, spec: spec, relation: context.plan.neighbouring,
                                                         charging: try context.plannedReleaseBudget(),
                                                         noise: context.releaseNoise(offset: 5 &+ UInt64(context.stageIndex)))
                vocabulary = result.vocabulary
                try record(result, spec: spec, column: name, context: &context)
            case .exact(let n):
                vocabulary = try frame.exactVocabulary(of: name, size: n)
                context.notPrivateReasons.append("vocabulary uses exact: the tokens of '\(name)' were chosen from the private training texts without DP")
                context.log("vocabulary of '\(name)': the \(vocabulary.tokens.count) most frequent training tokens, exact (NOT PRIVATE)")
            }
        } catch let error as PipelineError {
            throw error
        } catch let error as TextColumnError {
            throw PipelineError.stageFailed(stage: Self.kind, position: choicePosition, reason: error.description)
        } catch {
            throw dataError(error, stage: Self.kind, position: position)
        }
        context.vocabularies[name] = vocabulary
    }

    /// Writes the selected tokens (the DP release) to `vocabulary_<column>.txt` and records the release in the report:
    /// the number of tokens selected (a function of the released set), the mechanism, its scale and threshold. The
    /// private tokens' counts are never written.
    func record(_ result: DPVocabularySelection.Result, spec: DPVocabularySpec, column: String, context: inout RunContext) throws {
        let safe = String(column.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "_" ? Character($0) : "_" })
        let file = "vocabulary_\(safe).txt"
        let text = result.vocabulary.tokens.map { $0 + "\n" }.joined()
        do {
            try text.write(toFile: context.options.outputDirectory + "/" + file, atomically: true, encoding: .utf8)
        } catch {
            throw PipelineError.stageFailed(stage: Self.kind, position: position, reason: "cannot write \(file): \(error)")
        }
        context.outputs.append(file)
        let t = Double(result.scaleNumerator) / Double(result.scaleDenominator)
        let r = Foundation.exp(-1 / t)
        let std = (2 * r).squareRoot() / (1 - r)
        let scale = PrivacyFormat.string(t)
        context.metrics["vocabulary(\(column)).tokens"] = RunReport.Metric(
            value: Double(result.vocabulary.tokens.count), private: result.isPrivate, noiseScale: std,
            mechanism: "discrete laplace partition selection over per-document token sets (k = \(spec.maxTokensPerDocument), "
                + "scale \(scale) documents, threshold \(result.threshold) documents, at most \(spec.size) tokens; δ = \(PrivacyFormat.string(spec.delta))); "
                + "noise_scale is the per-token count noise std; the tokens are in \(file)",
            epsilon: spec.epsilon)
        context.log("vocabulary of '\(column)': \(result.vocabulary.tokens.count) tokens selected by DP partition selection "
                    + "(ε = \(PrivacyFormat.string(spec.epsilon)), δ = \(PrivacyFormat.string(spec.delta)), threshold \(result.threshold)); written to \(file)")
    }
}
