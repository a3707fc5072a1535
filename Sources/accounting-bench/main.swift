import Foundation
import PrivacyAccounting
let t0 = Date()
print(try epsilon(samplingRate: 256.0/60000, noiseMultiplier: 1.1, steps: 14063, delta: 1e-5, accountant: .pld), Date().timeIntervalSince(t0))
print(try epsilon(samplingRate: 1, noiseMultiplier: 1, steps: 1, delta: 1e-5, accountant: .pld))
print(try epsilon(samplingRate: 4.0/100000, noiseMultiplier: 1.2, steps: 500000, delta: 1e-5, accountant: .pld))
