/// The text of `dpflow plugins`: stages with their keys, then layers, losses and optimizers with parameters.
public enum PluginCatalog {
    public static func text(_ environment: PipelineEnvironment) -> String {
        var out: [String] = ["Stages (pipeline 'stages:' entries):"]
        for name in environment.stages.names {
            guard let d = environment.stages.definition(named: name) else { continue }
            out.append("  \(name) — \(d.summary)")
            for k in d.keys {
                out.append("      \(k.name): \(k.type)\(k.required ? " (required)" : "") — \(k.summary)")
            }
        }
        if !environment.stages.modelSources.isEmpty {
            out.append("Model sources (train.model as a mapping): " + environment.stages.modelSources.keys.sorted().joined(separator: ", "))
        }
        if !environment.stages.modelExporters.isEmpty {
            out.append("Model exporters (export keys): " + environment.stages.modelExporters.keys.sorted().joined(separator: ", "))
        }
        out.append(contentsOf: pluginLines(environment))
        return out.joined(separator: "\n")
    }
}
