/// The state of reading a batch stream: the file header, the groups so far and whether a BHS is open.
struct HL7BatchBuilder {
    let options: HL7ParseOptions
    let characterSet: HL7CharacterSet
    var fileHeader: HL7Segment?
    var fileTrailer: HL7Segment?
    var groups: [HL7Batch.Group] = []
    /// True while the last group has a BHS and no BTS yet.
    var batchOpen = false
    /// True while the last group collects bare messages (no BHS).
    var bareOpen = false
    var messageCount = 0
    var warnings: [HL7ParseError] = []

    init(options: HL7ParseOptions, characterSet: HL7CharacterSet) {
        self.options = options
        self.characterSet = characterSet
    }

    mutating func add(_ message: HL7Message, at position: Int) throws(HL7ParseError) {
        messageCount += 1
        guard messageCount <= options.maxMessagesPerBatch else {
            throw HL7ParseError(.limitExceeded, segmentIndex: position, segmentID: "MSH",
                                reason: "more than \(options.maxMessagesPerBatch) messages in one batch")
        }
        if !batchOpen && !bareOpen {
            groups.append(HL7Batch.Group())
            bareOpen = true
        }
        groups[groups.count - 1].messages.append(message)
    }

    mutating func openBatch(_ header: HL7Segment, at position: Int) throws(HL7ParseError) {
        guard !batchOpen else {
            throw misplaced(header, at: position, "BHS inside a batch that no BTS has closed")
        }
        groups.append(HL7Batch.Group(header: header))
        batchOpen = true
        bareOpen = false
    }

    mutating func closeBatch(_ trailer: HL7Segment, at position: Int) throws(HL7ParseError) {
        if !batchOpen && !bareOpen {
            guard groups.isEmpty else { throw misplaced(trailer, at: position, "BTS after a batch already closed") }
            groups.append(HL7Batch.Group())
        }
        groups[groups.count - 1].trailer = trailer
        batchOpen = false
        bareOpen = false
        try check(count: trailer[1], against: groups[groups.count - 1].messages.count, what: "messages",
                  segment: trailer, at: position)
    }

    mutating func closeFile(_ trailer: HL7Segment, at position: Int) throws(HL7ParseError) {
        if batchOpen { warnUnclosed(at: position) }
        batchOpen = false
        fileTrailer = trailer
        try check(count: trailer[1], against: groups.count, what: "batches",
                  segment: trailer, at: position)
    }

    /// Compares a written count (BTS-1, FTS-1) with the actual one; an empty count is not checked.
    mutating func check(count written: String, against actual: Int, what: String, segment: HL7Segment,
                        at position: Int) throws(HL7ParseError) {
        guard !written.isEmpty else { return }
        guard let number = Int(written.trimmingSpaces()), number == actual else {
            let problem = HL7ParseError(.batchCountMismatch, segmentIndex: position, segmentID: segment.id, field: 1,
                                        reason: "\(segment.id)-1 says \(written) \(what), the stream holds \(actual)")
            if options.strictBatchCounts { throw problem }
            warnings.append(problem)
            return
        }
    }

    mutating func warnUnclosed(at position: Int?) {
        warnings.append(HL7ParseError(.unexpectedSegment, segmentIndex: position, segmentID: "BHS",
                                      reason: "a BHS is not closed by a BTS"))
    }

    func misplaced(_ segment: HL7Segment, at position: Int, _ reason: String) -> HL7ParseError {
        HL7ParseError(.unexpectedSegment, segmentIndex: position, segmentID: segment.id, reason: reason)
    }

    mutating func batch() -> HL7Batch {
        if batchOpen { warnUnclosed(at: nil) }
        return HL7Batch(fileHeader: fileHeader, groups: groups, fileTrailer: fileTrailer, characterSet: characterSet,
                        warnings: warnings)
    }
}
