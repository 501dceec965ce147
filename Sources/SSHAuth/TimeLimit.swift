/// Runs `body`, or throws ``AuthError/Code-swift.struct/timedOut`` with `detail` once `limit`
/// has passed (the body is then cancelled). No limit runs it as it is.
func withTimeLimit<Result: Sendable>(
    _ limit: Duration?, _ detail: String, _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    guard let limit else { return try await body() }
    return try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else {
            throw AuthError(.timedOut, detail)
        }
        return result
    }
}
