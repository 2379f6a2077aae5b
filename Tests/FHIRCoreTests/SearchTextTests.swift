import FHIRCore
import Testing

@Suite("Search text normalisation")
struct SearchTextTests {
    @Test("case, accents, width and white space are folded; letters Unicode does not decompose too")
    func examples() {
        #expect(SearchText.normalized("  Mélanie \t DUBOIS\r\n") == "melanie dubois")
        #expect(SearchText.normalized("O'Brien-Smith") == "o'brien-smith")
        #expect(SearchText.normalized("Øster Straße") == "oster strasse")
        #expect(SearchText.normalized("ＡＢＣ") == "abc")
        #expect(SearchText.normalized(" \n ") == "")
    }

    @Test("all-ASCII text, folded byte by byte, gives what the Unicode folding gives")
    func asciiMatchesUnicodePath() {
        // A trailing "é" sends the same text through the Unicode folding, which turns it into "e".
        for byte in UInt8(0)..<0x80 {
            let text = "X" + String(UnicodeScalar(byte)) + "y"
            #expect(SearchText.normalized(text) + "e" == SearchText.normalized(text + "é"), "byte \(byte)")
        }
    }
}
