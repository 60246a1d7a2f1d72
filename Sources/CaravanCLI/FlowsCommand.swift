import ArgumentParser
import CaravanKit
import Foundation

struct FlowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "flows", abstract: "Load of origin–destination flows on a network.")
    func run() throws {}
}
