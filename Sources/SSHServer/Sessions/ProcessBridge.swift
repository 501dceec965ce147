import NIOCore
import SSHConnection
import SSHWire

/// Wires a local process to a session channel (RFC 4254 §6.5, §6.10): channel data to stdin
/// (EOF closes it), stdout to data, stderr to extended data, then the exit as the request to
/// send. Both directions keep back-pressure: the channel's window holds the process back, and
/// a full stdin pipe holds the client back.
struct ProcessBridge: Sendable {
    let process: LocalProcess
    let channel: SSHChannel

    func run() async -> ChannelRequestType {
        let process = self.process
        let channel = self.channel
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Channel to stdin; the end of the channel without EOF means the client is gone.
                var sawEOF = false
                do {
                    loop: for try await output in channel.output {
                        switch output {
                        case .stdout(let data): try await process.write(data)
                        case .eof:
                            sawEOF = true
                            break loop
                        default: continue
                        }
                    }
                } catch {}
                if sawEOF { try? await process.closeInput() } else if !Task.isCancelled { process.terminate() }
            }
            let output = Task(executorPreference: channel.connection.taskExecutor) {
                do { for try await data in process.standardOutput { try await channel.write(data) } } catch {}
            }
            let errors = Task(executorPreference: channel.connection.taskExecutor) {
                do { for try await data in process.standardError { try await channel.writeStderr(data) } } catch {}
            }
            let termination = await process.wait()
            await output.value
            await errors.value
            group.cancelAll()
            switch termination {
            case .exited(let status):
                return .exitStatus(status)
            case .signaled(let name, let coreDumped):
                return .exitSignal(.init(signalName: name, coreDumped: coreDumped, errorMessage: "", languageTag: ""))
            }
        }
    }
}
