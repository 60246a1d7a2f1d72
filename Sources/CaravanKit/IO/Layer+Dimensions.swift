internal import CGDAL
import Foundation

extension Layer {
    /// Whether the layer declares Z (heights) or M (measures) on its geometries. Caravan's
    /// geometries are 2-D (`Geometry`): what copies features out says how many lost them.
    public var zm: (z: Bool, m: Bool) {
        guard OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(handle)) > 0 else { return (false, false) }
        let t = OGR_L_GetGeomType(handle)
        return (OGR_GT_HasZ(t) != 0, OGR_GT_HasM(t) != 0)
    }

    /// The warning for `n` features whose Z/M values were not copied, or nil for a 2-D layer.
    public func droppedDimensionsWarning(features n: Int) -> String? {
        let (z, m) = zm
        guard (z || m), n > 0 else { return nil }
        let what = z && m ? "Z (heights) and M (measures)" : z ? "Z (heights)" : "M (measures)"
        return "\(name): the \(what) of \(n) feature\(n == 1 ? "" : "s") not kept — caravan writes 2-D geometries (x, y)"
    }
}
