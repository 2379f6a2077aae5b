import HL7v2
import MLLP
import Store

/// Connects the MLLP listener to the ingest pipeline: each framed message is stored, applied and answered with
/// its ACK (`AA` only after commit). A frame the listener refuses (over the size cap, malformed) is answered
/// with an `AR` naming the control id when its header can be read, and is not logged: it was never received whole.
public struct IngestMLLPHandler: MLLPMessageHandler {
    let pipeline: IngestPipeline

    public init(pipeline: IngestPipeline) {
        self.pipeline = pipeline
    }

    public func handle(message: [UInt8], from peer: MLLPPeer) async -> [UInt8] {
        await pipeline.ingest(message, source: .mllp, peer: peer.description, remoteAddress: peer.address).acknowledgementBytes
    }

    public func rejection(_ reason: MLLPError, partialMessage: [UInt8], from peer: MLLPPeer) async -> [UInt8]? {
        let header = HL7Acknowledgement.Header(scanning: partialMessage)
        let problem = HL7Acknowledgement.Problem(code: "207", message: "The frame was refused: \(reason.message)")
        let ack = HL7Acknowledgement.make(for: header, code: .reject, problem: problem, controlID: "CB-REFUSED")
        return Array(HL7Encoder().encode(ack).utf8)
    }
}
