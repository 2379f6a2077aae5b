import FHIRCore
import Testing

/// Parses JSON text written in a test; a malformed literal fails the test rather than crashing.
private func json(_ text: String) throws -> JSONValue {
    try JSONParser().parse(text)
}

/// Applies `patch` to `document` (both JSON text).
private func patched(_ document: String, _ patch: String) throws -> JSONValue {
    try JSONPatch(parsing: json(patch)).apply(to: json(document))
}

/// Expects applying `patch` to fail with `.invalidPatch` and a message containing each of `fragments`.
private func expectFailure(_ document: String, _ patch: String, mentions fragments: [String]) throws {
    let patchValue = try json(patch)
    let documentValue = try json(document)
    do {
        _ = try JSONPatch(parsing: patchValue).apply(to: documentValue)
        Issue.record("patch \(patch) unexpectedly succeeded")
    } catch {
        #expect(error.code == .invalidPatch)
        for fragment in fragments {
            #expect(error.message.contains(fragment), "\(error.message) should mention \(fragment)")
        }
    }
}

@Suite("JSON Patch: RFC 6902 appendix A")
struct JSONPatchAppendixTests {
    @Test("A.1 adding an object member")
    func addMember() throws {
        let result = try patched(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#)
        #expect(result == (try json(#"{"foo":"bar","baz":"qux"}"#)))
    }

    @Test("A.2 adding an array element")
    func addArrayElement() throws {
        let result = try patched(#"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#)
        #expect(result == (try json(#"{"foo":["bar","qux","baz"]}"#)))
    }

    @Test("A.3 removing an object member")
    func removeMember() throws {
        let result = try patched(#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#)
        #expect(result == (try json(#"{"foo":"bar"}"#)))
    }

    @Test("A.4 removing an array element")
    func removeArrayElement() throws {
        let result = try patched(#"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#)
        #expect(result == (try json(#"{"foo":["bar","baz"]}"#)))
    }

    @Test("A.5 replacing a value")
    func replaceValue() throws {
        let result = try patched(#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#)
        #expect(result == (try json(#"{"baz":"boo","foo":"bar"}"#)))
    }

    @Test("A.6 moving a value")
    func moveValue() throws {
        let result = try patched(
            #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
            #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#)
        #expect(result == (try json(#"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#)))
    }

    @Test("A.7 moving an array element")
    func moveArrayElement() throws {
        let result = try patched(
            #"{"foo":["all","grass","cows","eat"]}"#, #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#)
        #expect(result == (try json(#"{"foo":["all","cows","eat","grass"]}"#)))
    }

    @Test("A.8 testing a value: success")
    func testSuccess() throws {
        let document = #"{"baz":"qux","foo":["a",2,"c"]}"#
        let result = try patched(
            document, #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#)
        #expect(result == (try json(document)))
    }

    @Test("A.9 testing a value: error")
    func testError() throws {
        try expectFailure(#"{"baz":"qux"}"#, #"[{"op":"test","path":"/baz","value":"bar"}]"#,
                          mentions: ["operation 0", "test", "/baz"])
    }

    @Test("A.10 adding a nested member object")
    func addNestedObject() throws {
        let result = try patched(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#)
        #expect(result == (try json(#"{"foo":"bar","child":{"grandchild":{}}}"#)))
    }

    @Test("A.11 ignoring unrecognized elements")
    func ignoreUnknownMembers() throws {
        let result = try patched(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#)
        #expect(result == (try json(#"{"foo":"bar","baz":"qux"}"#)))
    }

    @Test("A.12 adding to a nonexistent target")
    func addToMissingParent() throws {
        try expectFailure(#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#,
                          mentions: ["operation 0", "add", "/baz/bat"])
    }

    @Test("A.14 ~ escape ordering")
    func escapeOrdering() throws {
        let document = #"{"/":9,"~1":10}"#
        let result = try patched(document, #"[{"op":"test","path":"/~01","value":10}]"#)
        #expect(result == (try json(document)))
    }

    @Test("A.15 comparing strings and numbers")
    func stringVersusNumber() throws {
        try expectFailure(#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":"10"}]"#,
                          mentions: ["operation 0", "/~01"])
    }

    @Test("A.16 adding an array value")
    func addArrayValue() throws {
        let result = try patched(#"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#)
        #expect(result == (try json(#"{"foo":["bar",["abc","def"]]}"#)))
    }
}

@Suite("JSON Patch: pointers, errors and number text")
struct JSONPatchBehaviourTests {
    @Test("JSON Pointer escapes ~0 and ~1 (RFC 6901)")
    func pointerEscapes() throws {
        let document = try json(#"{"a/b":1,"m~n":8,"":0," ":7,"c%d":2}"#)
        #expect(try JSONPointer("/a~1b").resolve(in: document) == .number("1"))
        #expect(try JSONPointer("/m~0n").resolve(in: document) == .number("8"))
        #expect(try JSONPointer("/").resolve(in: document) == .number("0"))
        #expect(try JSONPointer("/ ").resolve(in: document) == .number("7"))
        #expect(try JSONPointer("").resolve(in: document) == document)
        #expect(try JSONPointer("/m~0n").description == "/m~0n")
        #expect(throws: FHIRCoreError.self) { try JSONPointer("a") }
        #expect(throws: FHIRCoreError.self) { try JSONPointer("/a~2") }
    }

    @Test("number text and member order are kept")
    func keepsNumberText() throws {
        let result = try patched(
            #"{"resourceType":"Observation","valueQuantity":{"value":1.50,"unit":"mg"},"status":"final"}"#,
            #"[{"op":"add","path":"/valueQuantity/comparator","value":"<"},{"op":"replace","path":"/status","value":"amended"}]"#)
        #expect(JSONWriter.string(result)
            == #"{"resourceType":"Observation","valueQuantity":{"value":1.50,"unit":"mg","comparator":"<"},"status":"amended"}"#)
    }

    @Test("copy, whole-document replace, and test with equal numbers and reordered objects")
    func copyAndTest() throws {
        let result = try patched(
            #"{"a":{"x":1,"y":[1.0]}}"#,
            #"[{"op":"copy","from":"/a","path":"/b"},{"op":"test","path":"/b","value":{"y":[1],"x":1.00}}]"#)
        #expect(result == (try json(#"{"a":{"x":1,"y":[1.0]},"b":{"x":1,"y":[1.0]}}"#)))
        #expect(try patched(#"{"a":1}"#, #"[{"op":"replace","path":"","value":[true]}]"#) == .array([.bool(true)]))
    }

    @Test("errors name the operation index and path")
    func errorMessages() throws {
        try expectFailure(#"{"a":[1]}"#, #"[{"op":"test","path":"/a/0","value":1},{"op":"remove","path":"/a/5"}]"#,
                          mentions: ["operation 1", "remove", "/a/5"])
        try expectFailure(#"{"a":[1]}"#, #"[{"op":"add","path":"/a/01","value":1}]"#, mentions: ["/a/01"])
        try expectFailure(#"{"a":{}}"#, #"[{"op":"move","from":"/a","path":"/a/b"}]"#, mentions: ["move", "/a/b"])
        try expectFailure(#"{}"#, #"[{"op":"replace","path":"/x","value":1}]"#, mentions: ["replace", "/x"])
        try expectFailure(#"{}"#, #"[{"op":"frobnicate","path":"/x"}]"#, mentions: ["operation 0", "frobnicate"])
        try expectFailure(#"{}"#, #"[{"op":"add","path":"/x"}]"#, mentions: ["operation 0", "value"])
        try expectFailure(#"{}"#, #"{"op":"add"}"#, mentions: ["array"])
    }
}
