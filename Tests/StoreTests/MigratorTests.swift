import PostgresNIO
import Store
import Testing

@Suite("Migrations")
struct MigratorTests {
    @Test("every migration applies once, in order; a second run applies nothing")
    func appliesOnce() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let migrator = Migrator(client: database.client, logger: TestDatabase.logger)
            let first = try await migrator.migrate()
            #expect(first == Migration.all.map(\.version))
            #expect(first == first.sorted())
            let second = try await migrator.migrate()
            #expect(second.isEmpty)
            let recorded = try await database.integers("SELECT version FROM schema_migration ORDER BY version")
            #expect(recorded == Migration.all.map(\.version))
            var names: [String] = []
            for try await name in try await database.client.query(
                "SELECT name FROM schema_migration ORDER BY version", logger: TestDatabase.logger
            ).decode(String.self) {
                names.append(name)
            }
            #expect(names == Migration.all.map(\.name))
        }
    }

    @Test("migrators started together apply each migration exactly once")
    func concurrentMigrators() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let results = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask { try await Migrator(client: database.client, logger: TestDatabase.logger).migrate() }
                }
                return try await group.reduce(into: [[Int]]()) { $0.append($1) }
            }
            #expect(results.flatMap { $0 }.sorted() == Migration.all.map(\.version))
            #expect(try await database.integers("SELECT count(*)::int FROM schema_migration") == [Migration.all.count])
        }
    }

    @Test("a later migration applies on a database that has the earlier ones")
    func incremental() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let migrator = Migrator(client: database.client, logger: TestDatabase.logger)
            let first = try await migrator.migrate(Array(Migration.all.prefix(1)))
            let rest = try await migrator.migrate()
            let again = try await migrator.migrate()
            #expect(first == [1])
            #expect(rest == Array(Migration.all.map(\.version).dropFirst()))
            #expect(again.isEmpty)
        }
    }

    @Test("a failing migration is rolled back and not recorded")
    func failingMigration() async throws {
        try await TestDatabase.with { database in
            let broken = Migration(version: 999, name: "broken", statements: ["CREATE TABLE half_done (x int)", "SELECT nonsense("])
            let migrator = Migrator(client: database.client, logger: TestDatabase.logger)
            await #expect(throws: StoreError.self) { try await migrator.migrate(Migration.all + [broken]) }
            #expect(try await database.integers("SELECT count(*)::int FROM schema_migration WHERE version = 999") == [0])
            let tables = try await database.integers("SELECT count(*)::int FROM pg_tables WHERE tablename = 'half_done'")
            #expect(tables == [0])
        }
    }
}
