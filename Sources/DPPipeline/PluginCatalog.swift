/// The text of `dpflow plugins`: stages with their keys, then layers, losses and optimizers with parameters.
public enum PluginCatalog {
    public static func text(_ environment: PipelineEnvironment) -> String {
        var out: [String] = ["Stages (pipeline 'stages:' entries):"]
        for name in environment.stages.names {
            guard let d = environment.stages.definition(named: name) else { continue }
            out.append("  \(name) — \(d.summary)")
            var order: [String] = []
            if !d.ordering.after.isEmpty { order.append("after " + d.ordering.after.joined(separator: ", ")) }
            if !d.ordering.before.isEmpty { order.append("before " + d.ordering.before.joined(separator: ", ")) }
            if d.ordering.atMostOnce { order.append("at most once") }
            if !order.isEmpty { out.append("      (order: \(order.joined(separator: "; ")))") }
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
