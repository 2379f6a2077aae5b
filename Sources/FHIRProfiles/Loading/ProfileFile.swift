import FHIRCore
import Foundation

/// One JSON file of `profiles/`, read into a lossless tree, with accessors that fail with its name.
struct ProfileFile {
    /// The file name (`structures.json`), used as the location of errors.
    let name: String
    /// The top-level object.
    let root: JSONObject

    /// Reads and parses `name` in `directory`.
    init(_ name: String, in directory: URL) throws(ProfilesError) {
        self.name = name
        let url = directory.appendingPathComponent(name)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ProfilesError(
                .fileUnreadable, "Cannot read \(url.path) (run scripts/generate-profiles): \(error.localizedDescription)",
                location: name)
        }
        let value: JSONValue
        do {
            value = try JSONParser(maximumDepth: 64).parse(data)
        } catch {
            throw ProfilesError(.invalidJSON, "Not valid JSON: \(error)", location: name)
        }
        guard let root = value.objectValue else {
            throw ProfilesError(.invalidTable, "The top level must be an object", location: name)
        }
        self.root = root
    }

    /// An error about entry `entry` of this file.
    func invalid(_ message: String, at entry: String) -> ProfilesError {
        ProfilesError(.invalidTable, message, location: "\(name): \(entry)")
    }

    /// Member `key` of `object` as an object.
    func object(_ object: JSONObject, _ key: String, at entry: String) throws(ProfilesError) -> JSONObject {
        guard let value = object[key]?.objectValue else { throw invalid("'\(key)' must be an object", at: entry) }
        return value
    }

    /// Member `key` of `object` as a string; nil when absent, an error when not a string.
    func optionalString(_ object: JSONObject, _ key: String, at entry: String) throws(ProfilesError) -> String? {
        guard let value = object[key] else { return nil }
        guard let text = value.stringValue else { throw invalid("'\(key)' must be a string", at: entry) }
        return text
    }

    /// Member `key` of `object` as a list of strings; empty when absent.
    func strings(_ object: JSONObject, _ key: String, at entry: String) throws(ProfilesError) -> [String] {
        guard let value = object[key] else { return [] }
        guard let items = value.arrayValue else { throw invalid("'\(key)' must be an array", at: entry) }
        var result: [String] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let text = item.stringValue else { throw invalid("'\(key)' must hold strings", at: entry) }
            result.append(text)
        }
        return result
    }

    /// Member `key` of `object` as a boolean; nil when absent.
    func optionalBool(_ object: JSONObject, _ key: String, at entry: String) throws(ProfilesError) -> Bool? {
        guard let value = object[key] else { return nil }
        guard let flag = value.boolValue else { throw invalid("'\(key)' must be a boolean", at: entry) }
        return flag
    }
}
