import NIOCore

/// Runs a task's jobs on the event loop of the database connection it is using.
///
/// A statement's result arrives on its connection's event loop. Work on a connection that runs with this
/// executor as its task executor preference resumes on that same thread, and sends its next statement from
/// it, instead of waking a thread of the shared pool for every result and the event loop again for every
/// statement.
final class ConnectionExecutor: TaskExecutor {
    private let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
