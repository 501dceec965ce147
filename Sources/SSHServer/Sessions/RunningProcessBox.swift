import NIOConcurrencyHelpers

/// The process a session started, shared between the request loop and the task that runs it.
final class RunningProcessBox: Sendable {
    private let box = NIOLockedValueBox<LocalProcess?>(nil)

    var process: LocalProcess? { box.withLockedValue { $0 } }

    func set(_ process: LocalProcess) { box.withLockedValue { $0 = process } }
}
