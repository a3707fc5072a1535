import Foundation
import PrivateDataFrame

/// `features: {scattering: {J: 2, L: 8}}` on a load stage with a declared image: a fixed per-example feature map
/// applied once, right after loading (and to a declared test set alike), instead of in every epoch.
///
/// DP meaning: the map reads one example only and has no parameter learnt from data, so it is free of privacy
/// cost and leaves the neighbouring relation unchanged (one row in, one transformed row out). The transformed
/// columns (`scatter_0…`) are declared as an image of shape `[⌈H/2^J⌉, ⌈W/2^J⌉, C·K]` with public bounds
/// `[0, bound]` that follow from the filters alone (see `ScatteringTransform`).
public struct ImageFeatureSpec: Sendable, Equatable {
    /// Scattering scales J (sampling every 2^J pixels) and orientations L.
    public var scales: Int
    public var orientations: Int
    public var position: SourcePosition

    public static func == (a: Self, b: Self) -> Bool { a.scales == b.scales && a.orientations == b.orientations }

    /// The transform for an image shape (throws a typed error for shapes outside its limits).
    public func transform(for shape: [Int]) throws -> ScatteringTransform {
        try ScatteringTransform(shape: shape, scales: scales, orientations: orientations)
    }

    /// The declaration of the transformed columns (what `PrivateDataFrame.scattering` produces).
    public func outputImage(for image: ImageSpec) throws -> ImageSpec {
        let t = try transform(for: image.shape)
        return ImageSpec(columns: "scatter_*", shape: t.outputShape, min: 0, max: t.bound,
                         missing: image.missing, invalid: image.invalid, outOfBounds: .clamp)
    }

    /// Applies the map to a loaded frame.
    public func apply(to frame: PrivateDataFrame) throws -> PrivateDataFrame {
        try frame.scattering(scales: scales, orientations: orientations)
    }

    /// One line for the log.
    public var summary: String {
        "scattering transform (Morlet, J = \(scales), L = \(orientations), order 2): a fixed per-example map, no privacy cost"
    }

    static func decode(_ value: SpecValue, diagnostics: inout DiagnosticCollector) -> ImageFeatureSpec? {
        guard var r = SpecMappingReader(value, what: "'\(value.path)'", diagnostics: &diagnostics) else { return nil }
        let scatteringValue = r.required("scattering", diagnostics: &diagnostics)
        r.finish(diagnostics: &diagnostics)
        guard let scatteringValue else { return nil }
        if scatteringValue.mappingEntries?.isEmpty == true || scatteringValue.stringValue == "" || scatteringValue.stringValue == "{}" {
            return ImageFeatureSpec(scales: 2, orientations: 8, position: scatteringValue.position)
        }
        guard var m = SpecMappingReader(scatteringValue, what: "'\(scatteringValue.path)'", diagnostics: &diagnostics) else { return nil }
        let j = m.int("J", in: 1...6, diagnostics: &diagnostics) ?? 2
        let l = m.int("L", in: 1...16, diagnostics: &diagnostics) ?? 8
        m.finish(diagnostics: &diagnostics)
        return ImageFeatureSpec(scales: j, orientations: l, position: scatteringValue.position)
    }
}

extension LoadStage {
    /// The schema later stages see: with `features`, the image declares the transformed columns.
    func resolvedSchema(_ diagnostics: inout DiagnosticCollector) -> SchemaSpec {
        guard let features = imageFeatures else { return schema }
        guard let image = schema.image else {
            diagnostics.error(features.position, "'features' needs the schema's 'image: {columns, shape, min, max}'")
            return schema
        }
        do {
            var resolved = schema
            resolved.image = try features.outputImage(for: image)
            return resolved
        } catch let error as DataFrameError {
            diagnostics.error(features.position, error.authorDescription)
        } catch {
            diagnostics.error(features.position, "\(error)")
        }
        return schema
    }

    /// Column names after the feature map: the transformed image's columns in place of the pixels.
    func featureColumns(replacing pixels: [String], others: [String], diagnostics: inout DiagnosticCollector) -> [String] {
        guard imageFeatures != nil, let image = resolvedSchema(&diagnostics).image, image.columns == "scatter_*" else {
            return pixels + others
        }
        return (0..<image.pixelCount).map(image.columnName) + others
    }

    /// Loads one IDX images/labels pair and applies the feature map.
    func loadIDXFrame(images: String, labels: String?, image: ImageSpec, idx: IDXSource, context: RunContext) throws -> PrivateDataFrame {
        func resolve(_ p: String) -> String { (p as NSString).isAbsolutePath ? p : (context.directory as NSString).appendingPathComponent(p) }
        var frame = try PrivateDataFrame.load(idxImages: resolve(images), labels: labels.map(resolve), image: image,
                                              labelColumn: idx.labelColumn,
                                              classes: schema.column(named: idx.labelColumn)?.values ?? [],
                                              datasetID: context.plan.dataset)
        if let imageFeatures { frame = try imageFeatures.apply(to: frame) }
        return frame
    }
}
