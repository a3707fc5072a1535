import PrivateLearning

extension TrainStage {
    /// Resolves layer, loss and optimizer names against the plugin registry, builds the model once (without
    /// data) to check shapes and count parameters, and checks the loss against the label's declared type.
    public func resolve(_ context: inout ResolutionContext) {
        let plugins = context.plugins
        var diagnostics = DiagnosticCollector()
        _ = makeLoss(plugins, diagnostics: &diagnostics)
        _ = makeOptimizer(plugins, diagnostics: &diagnostics)
        var model: Sequential?
        switch self.model {
        case .layers(let refs):
            // Widths outside the documented limit were reported when decoding; building them would allocate them.
            let oversized = refs.contains { ref in
                ref.entries.contains { $0.key == "units" && !($0.value.intValue.map(SpecLimits.units.contains) ?? true) }
            }
            if oversized {
                break
            } else if let width = context.featureWidth {
                model = makeModel(plugins, inputWidth: width, seed: 0, diagnostics: &diagnostics)
            } else {
                _ = makeLayers(plugins, diagnostics: &diagnostics)
            }
        case .source(let spec):
            let before = diagnostics.diagnostics.count
            resolveSource(spec, context: &context, diagnostics: &diagnostics)
            // The loss must fit the model's outputs here too: a mismatch traps inside the loss, after the reservation.
            let keys = spec.mappingEntries?.map(\.key) ?? []
            if diagnostics.diagnostics.count == before, context.featureWidth != nil,
               let (_, resolver) = context.stages.modelSources.first(where: { keys.contains($0.key) }),
               let width = resolver.outputWidth(spec, directory: context.directory, plugins: plugins) {
                checkLoss(outputWidth: width, context: context, diagnostics: &diagnostics)
            }
        }
        if let model {
            let outputWidth = model.outputShape.reduce(1, *)
            context.training = TrainingFacts(
                layerSummary: ["input(\(model.inputShape.reduce(1, *)))"] + zip(model.layers, model.layerOutputShapes).map { layer, shape in
                    var text = "\(layer.typeName)(\(shape.reduce(1, *))"
                    if case .string(let activation)? = layer.configuration["activation"], activation != "linear" { text += ", \(activation)" }
                    return text + ")"
                },
                parameterCount: model.parameterCount, outputWidth: outputWidth)
            checkLoss(outputWidth: outputWidth, context: context, diagnostics: &diagnostics)
        }
        context.diagnostics.append(contentsOf: diagnostics.diagnostics)
    }

    /// Checks that the loss fits the label: binary losses need a 2-value label and one output, (sparse)
    /// categorical cross-entropy needs as many outputs as declared label values, losses on a scaled label one output.
    func checkLoss(outputWidth: Int, context: ResolutionContext, diagnostics: inout DiagnosticCollector) {
        var outputPosition = modelPosition
        if case .layers(let refs) = model, let last = refs.last { outputPosition = last.position }
        guard let label = context.label, let column = context.schema?.column(named: label) else { return }
        let classes: Int? = switch column.kind {
        case .category: column.values.count
        case .boolean: 2
        case .integer, .number, .text: nil
        }
        // What the loss declares it is trained on decides the checks, never its name.
        let name = loss.name
        if let tune, labelEncoding(context.plugins) != .classIndex {
            diagnostics.error(tune.position, "tune scores trials by validation accuracy: the loss must declare binary or integer-class targets (e.g. binary_crossentropy, sparse_categorical_crossentropy)")
        }
        switch targetEncoding(context.plugins) {
        case .binary:
            if outputWidth != 1 {
                diagnostics.error(outputPosition, "\(name) needs a model with 1 output; this model has \(outputWidth)")
            }
            if let classes, classes != 2 {
                diagnostics.error(loss.position, "\(name) needs a label with 2 values; '\(label)' declares \(classes). Use sparse_categorical_crossentropy")
            } else if classes == nil {
                diagnostics.error(loss.position, "\(name) needs a category or boolean label; '\(label)' is \(column.kind.rawValue)")
            }
        case .integerClass:
            if let classes, outputWidth != classes {
                diagnostics.error(outputPosition, "\(name): the last layer has \(outputWidth) outputs but '\(label)' declares \(classes) values")
            } else if classes == nil {
                diagnostics.error(loss.position, "\(name) needs a category label; '\(label)' is \(column.kind.rawValue)")
            }
        case .oneHot:
            if let classes, outputWidth != classes {
                diagnostics.error(outputPosition, "\(name): the last layer has \(outputWidth) outputs but '\(label)' declares \(classes) values (one-hot targets)")
            } else if classes == nil {
                diagnostics.error(loss.position, "\(name) needs a category or boolean label; '\(label)' is \(column.kind.rawValue)")
            }
        case .real:
            // The label as one scaled value per example: a wider model output would only fail inside the loss,
            // after the budget was reserved.
            if outputWidth != 1 {
                diagnostics.error(outputPosition, "\(name) is trained on '\(label)' as one value per example, so the model needs 1 output; this model has \(outputWidth)")
            }
        }
    }

    func resolveSource(_ spec: SpecValue, context: inout ResolutionContext, diagnostics: inout DiagnosticCollector) {
        let keys = spec.mappingEntries?.map(\.key) ?? []
        guard let (key, resolver) = context.stages.modelSources.first(where: { keys.contains($0.key) }) else {
            let known = context.stages.modelSources.keys.sorted()
            diagnostics.error(spec.position, "'\(spec.path)' must be a list of layers"
                              + (known.isEmpty ? "; no model source (such as keras_json) is registered in this build"
                                 : " or a mapping with one of \(known.joined(separator: ", "))"))
            return
        }
        for entry in spec.mappingEntries ?? [] where !resolver.keys.contains(entry.key) {
            diagnostics.error(entry.keyPosition, "unknown key '\(spec.path).\(entry.key)' for a '\(key)' model."
                              + NameSuggestion.didYouMean(entry.key, in: resolver.keys))
        }
        resolver.validate(spec, directory: context.directory, featureWidth: context.featureWidth, plugins: context.plugins,
                          diagnostics: &diagnostics)
    }

    func makeLayers(_ plugins: PluginRegistry, diagnostics: inout DiagnosticCollector) -> [any Layer]? {
        guard case .layers(let refs) = model else { return nil }
        var layers: [any Layer] = []
        for ref in refs {
            do {
                layers.append(try plugins.makeLayer(ref.name, parameters: ref.pluginParameters))
            } catch {
                Self.report(error, kind: "layer", ref: ref, diagnostics: &diagnostics)
            }
        }
        return layers.count == refs.count ? layers : nil
    }

    /// Builds the declared model for `inputWidth` features.
    /// - Parameter seed: weight-initialisation seed (public randomness; nil = system generator).
    func makeModel(_ plugins: PluginRegistry, inputWidth: Int, seed: UInt64?, diagnostics: inout DiagnosticCollector) -> Sequential? {
        guard case .layers(let refs) = model, let layers = makeLayers(plugins, diagnostics: &diagnostics) else { return nil }
        do {
            // Resource limits (parameters, memory at the batch size) are checked from the shapes before allocation.
            let model = try Sequential(inputShape: [inputWidth], layers: layers, seed: seed, batchSize: batchSize)
            var refused = false
            for found in model.exampleMixingLayers() where refs.indices.contains(found.index) {
                diagnostics.error(refs[found.index].position, "layers[\(found.index)] '\(refs[found.index].name)' mixes examples "
                                  + "within a batch\(found.reason.map { " (\($0))" } ?? ""), which per-example clipping cannot bound; "
                                  + "use layer_normalization (group_normalization for images) or no normalisation")
                refused = true
            }
            return refused ? nil : model
        } catch let error as PrivateLearningError {
            if let index = error.layerIndex, refs.indices.contains(index) {
                diagnostics.error(refs[index].position, "\(error)")
            } else {
                diagnostics.error(modelPosition, "\(error)")
            }
        } catch {
            diagnostics.error(modelPosition, "\(error)")
        }
        return nil
    }

    func makeLoss(_ plugins: PluginRegistry, diagnostics: inout DiagnosticCollector) -> (any Loss)? {
        do { return try plugins.makeLoss(loss.name, parameters: loss.pluginParameters) } catch {
            Self.report(error, kind: "loss", ref: loss, diagnostics: &diagnostics)
            return nil
        }
    }

    func makeOptimizer(_ plugins: PluginRegistry, diagnostics: inout DiagnosticCollector) -> (any Optimizer)? {
        do { return try plugins.makeOptimizer(optimizer.name, parameters: optimizer.pluginParameters) } catch {
            Self.report(error, kind: "optimizer", ref: optimizer, diagnostics: &diagnostics)
            return nil
        }
    }

    /// Turns a registry or factory error into a diagnostic at the name or parameter it is about.
    static func report(_ error: any Error, kind: String, ref: PluginReference, diagnostics: inout DiagnosticCollector) {
        guard let error = error as? PrivateLearningError else {
            diagnostics.error(ref.position, "\(kind) '\(ref.name)': \(error)")
            return
        }
        switch error {
        case .unknownPlugin(_, let name, let suggestion):
            diagnostics.error(ref.position, "unknown \(kind) '\(name)'." + (suggestion.map { " Did you mean '\($0)'?" } ?? ""))
        case .unknownParameter(_, let parameter, let suggestion):
            diagnostics.error(ref.position(ofParameter: parameter, key: true),
                              "unknown parameter '\(parameter)' of \(kind) '\(ref.name)'." + (suggestion.map { " Did you mean '\($0)'?" } ?? ""))
        case .invalidParameter(_, let parameter, let expected):
            diagnostics.error(ref.position(ofParameter: parameter), "parameter '\(parameter)' of \(kind) '\(ref.name)' must be \(expected)")
        case .missingParameter(_, let parameter):
            diagnostics.error(ref.position, "\(kind) '\(ref.name)' needs parameter '\(parameter)'")
        default:
            diagnostics.error(ref.position, "\(kind) '\(ref.name)': \(error)")
        }
    }
}
