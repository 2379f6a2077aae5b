import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// One answer the loopback receiver gives: a status after an optional delay, with headers and a body.
struct ScriptedResponse: Sendable {
    var status: Int
    var delay: Duration = .zero
    var headers: [(String, String)] = []
    var body: String = ""

    static let ok = ScriptedResponse(status: 200)

    /// A redirect to `location`, which a webhook sender must not follow.
    static func redirect(to location: String, status: Int = 302) -> ScriptedResponse {
        ScriptedResponse(status: status, headers: [("location", location)])
    }
}

/// A request the receiver got, as it arrived on the wire.
struct ReceivedRequest: Sendable {
    var method: String
    var path: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var receivedAt: Date

    /// The first value of a header, by case-insensitive name.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A real HTTP server on 127.0.0.1 (a port the system picks) for delivery tests: it records every request
/// and answers from scripts, per path first, then in arrival order, then with a default answer.
///
/// Use it through `withReceiver`, which starts it, runs the test body, and stops it.
struct LoopbackReceiver: Sendable {
    /// The port the receiver listens on.
    let port: Int
    private let log: ReceiverLog

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String = "/hook") -> URL {
        URL(string: "http://127.0.0.1:\(port)\(path)") ?? URL(fileURLWithPath: "/")
    }

    /// Answers the next requests to `path` (to any path when `nil`) with these responses, in order.
    func script(_ responses: [ScriptedResponse], path: String? = nil) async {
        await log.enqueue(responses, path: path)
    }

    /// The answer given once the scripts are used up (200 unless changed).
    func setDefaultResponse(_ response: ScriptedResponse) async {
        await log.setDefault(response)
    }

    /// Every request received so far, in arrival order.
    var requests: [ReceivedRequest] {
        get async { await log.requests }
    }

    /// Waits until at least `count` requests have arrived, or `timeout` has passed, and returns them all.
    func waitForRequests(_ count: Int, timeout: Duration = .seconds(10)) async -> [ReceivedRequest] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let received = await log.requests
            if received.count >= count { return received }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await log.requests
    }

    /// Starts a receiver with `responses` queued for any path, runs `body` with it, then stops it.
    static func withReceiver<T: Sendable>(
        _ responses: [ScriptedResponse] = [],
        _ body: @Sendable (LoopbackReceiver) async throws -> T
    ) async throws -> T {
        let log = ReceiverLog()
        await log.enqueue(responses, path: nil)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "LoopbackReceiver")
        logger.logLevel = .critical
        let app = Application(
            responder: CallbackResponder { (request: Request, _: BasicRequestContext) in
                try await log.respond(to: request)
            },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        let services = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { portContinuation.finish() }
                try await services.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                try await group.waitForAll()
                throw ReceiverFailure.didNotStart
            }
            do {
                let result = try await body(LoopbackReceiver(port: port, log: log))
                await services.triggerGracefulShutdown()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
        }
    }

    private enum ReceiverFailure: Error {
        case didNotStart
    }
}

/// The receiver's shared state: what arrived and what to answer next.
private actor ReceiverLog {
    private(set) var requests: [ReceivedRequest] = []
    private var anyPath: [ScriptedResponse] = []
    private var byPath: [String: [ScriptedResponse]] = [:]
    private var fallback = ScriptedResponse.ok

    func enqueue(_ responses: [ScriptedResponse], path: String?) {
        if let path {
            byPath[path, default: []].append(contentsOf: responses)
        } else {
            anyPath.append(contentsOf: responses)
        }
    }

    func setDefault(_ response: ScriptedResponse) {
        fallback = response
    }

    func respond(to request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 << 20)
        let path = request.uri.path
        requests.append(
            ReceivedRequest(
                method: request.method.rawValue,
                path: path,
                headers: request.headers.map { ($0.name.canonicalName, $0.value) },
                body: Array(body.readableBytesView),
                receivedAt: Date()
            ))
        let scripted = next(for: path)
        if scripted.delay > .zero {
            try? await Task.sleep(for: scripted.delay)
        }
        var headers = HTTPFields()
        for (name, value) in scripted.headers {
            if let fieldName = HTTPField.Name(name) {
                headers.append(HTTPField(name: fieldName, value: value))
            }
        }
        return Response(
            status: HTTPResponse.Status(code: scripted.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: scripted.body))
        )
    }

    private func next(for path: String) -> ScriptedResponse {
        if var queued = byPath[path], !queued.isEmpty {
            let response = queued.removeFirst()
            byPath[path] = queued
            return response
        }
        return anyPath.isEmpty ? fallback : anyPath.removeFirst()
    }
}
