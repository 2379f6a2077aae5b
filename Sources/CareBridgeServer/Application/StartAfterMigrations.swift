import ServiceLifecycle
import Synchronization

/// Opens once the database schema is migrated; services that touch the database before serving wait on it.
final class MigrationGate: Sendable {
    private let isOpen = Atomic<Bool>(false)

    /// Lets every waiter through.
    func open() {
        isOpen.store(true, ordering: .releasing)
    }

    /// Returns once `open()` has been called; throws `CancellationError` when the task is cancelled first.
    func wait() async throws {
        while !isOpen.load(ordering: .acquiring) {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Runs `service` (the MLLP listener) only after the migrations, so that no message is accepted before the
/// inbound log exists. A shutdown before then ends it without starting the service.
struct StartAfterMigrations<Wrapped: Service>: Service {
    let gate: MigrationGate
    let service: Wrapped

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await gate.wait() }
        } catch is CancellationError {
            return
        }
        guard !Task.isShuttingDownGracefully else { return }
        try await service.run()
    }
}
