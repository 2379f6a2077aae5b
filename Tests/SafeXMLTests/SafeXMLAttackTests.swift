import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import SafeXML

/// Counts TCP connections to a loopback listener, so a test can show that parsing fetched nothing.
final class LoopbackListener: Sendable {
    private final class Count: Sendable {
        let value = Mutex(0)
    }

    private let count = Count()
    private let channel: any Channel
    let port: Int

    init() async throws {
        let count = self.count
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                count.value.withLock { $0 += 1 }
                return child.close()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    /// Connections accepted so far.
    var accepted: Int { count.value.withLock { $0 } }

    func close() async throws { try await channel.close() }
}

@Suite("SafeXML attacks: XXE, DTDs, entity expansion")
struct SafeXMLAttackTests {
    func refusal(_ text: String) -> SafeXMLError.Kind? {
        do {
            _ = try SafeXMLParser().parse(text)
            return nil
        } catch {
            return error.kind
        }
    }

    @Test func externalReferencesFetchNothing() async throws {
        let listener = try await LoopbackListener()
        let base = "http://127.0.0.1:\(listener.port)"
        // The listener does count a connection (so zero below means nothing connected).
        let probe = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: listener.port).get()
        try await probe.closeFuture.get()
        for _ in 0..<100 where listener.accepted == 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(listener.accepted == 1)

        let refused: [(String, SafeXMLError.Kind)] = [
            ("<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM \"\(base)/xxe\">]>\n<r>&xxe;</r>", .doctypeForbidden),
            ("<!DOCTYPE r [<!ENTITY % remote SYSTEM \"\(base)/evil.dtd\"> %remote; %send;]><r/>", .doctypeForbidden),
            ("<!DOCTYPE r SYSTEM \"\(base)/r.dtd\" [<!ENTITY a \"b\">]><r/>", .doctypeForbidden),
            ("<!-- leading comment --><!doctype r SYSTEM \"\(base)/lower.dtd\"><r/>", .doctypeForbidden),
            ("<!DOCTYPE r SYSTEM \"\(base)/1.dtd\"><!DOCTYPE r SYSTEM \"\(base)/2.dtd\"><r/>", .doctypeForbidden),
            ("<r><!DOCTYPE r SYSTEM \"\(base)/inside.dtd\"></r>", .doctypeForbidden),
            ("<r><!ENTITY xxe SYSTEM \"\(base)/inline\"></r>", .entityForbidden),
            ("<r><!ELEMENT r ANY></r>", .entityForbidden),
        ]
        for (document, kind) in refused {
            #expect(refusal(document) == kind, "\(document)")
        }
        let strict = SafeXMLParser(acceptsExternalDoctype: false)
        #expect(throws: SafeXMLError.self) { try strict.parse("<!DOCTYPE r SYSTEM \"\(base)/strict.dtd\"><r/>") }
        // Accepted, but neither XInclude nor schema locations are ever followed.
        let inert = [
            "<!DOCTYPE r SYSTEM \"\(base)/r.dtd\"><r/>",
            "<?xml version=\"1.0\" standalone=\"no\"?>\n<!DOCTYPE r PUBLIC \"-//X//DTD R//EN\" '\(base)/p>[.dtd'>\n<r/>",
            "<r xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"\(base)/include\" parse=\"text\"/></r>",
            "<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"urn:x \(base)/s.xsd\"/>",
            "<?xml-stylesheet href=\"\(base)/style.xsl\"?><r/>",
        ]
        for document in inert {
            #expect(refusal(document) == nil)
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(listener.accepted == 1)
        try await listener.close()
    }

    @Test func billionLaughsIsRefusedBeforeExpansion() {
        var document = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        document += " <!ENTITY lol1 \"" + String(repeating: "&lol;", count: 10) + "\">\n"
        for level in 2...9 {
            document += " <!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">\n"
        }
        document += "]>\n<lolz>&lol9;</lolz>"
        do {
            _ = try SafeXMLParser().parse(document)
            Issue.record("billion laughs was accepted")
        } catch {
            #expect(error.kind == .doctypeForbidden)
            #expect(error.line == 2)
            #expect(error.column == 1)
        }
    }

    @Test func externalDoctypeIsBlankedKeepingPositions() {
        do {
            _ = try SafeXMLParser().parse("<!DOCTYPE r\n SYSTEM \"r.dtd\">\n<r>\n<a></b>\n</r>")
            Issue.record("a mismatched tag was accepted")
        } catch {
            #expect(error.kind == .notWellFormed)
            #expect(error.line == 4)
        }
    }

    @Test func quadraticBlowupIsRefused() {
        let big = String(repeating: "a", count: 50_000)
        let document = "<!DOCTYPE r [<!ENTITY a \"\(big)\">]><r>" + String(repeating: "&a;", count: 50_000) + "</r>"
        #expect(refusal(document) == .doctypeForbidden)
    }

    @Test func undeclaredEntitiesAreRefused() {
        #expect(refusal("<r>&xxe;</r>") == .entityForbidden)
        #expect(refusal("<r a='&xxe;'/>") == .entityForbidden || refusal("<r a='&xxe;'/>") == .notWellFormed)
    }

    @Test func declarationsInsideCDATAAndCommentsAreText() throws {
        let root = try SafeXMLParser().parse("<r><![CDATA[<!DOCTYPE html><!ENTITY x 'y'>]]><!-- <!DOCTYPE x> --></r>")
        #expect(root.text == "<!DOCTYPE html><!ENTITY x 'y'>")
    }
}
