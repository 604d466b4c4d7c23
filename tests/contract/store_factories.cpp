// The list of store implementations the contract suite runs against: SQLite in a temp dir, always.
// A PostgreSQL store adds its factory here (when a server is there) and nothing else.
#include "tests/contract/store_factory.hpp"

#include "proxy/store/open_store.hpp"
#include "tests/unit/temp_dir.hpp"

#include <atomic>
#include <string>

namespace jitgate::contract {
namespace {

std::unique_ptr<proxy::Store> make_sqlite() {
    static testing::TempDir dir{"jitgate-contract"};  // removed at exit with every store in it
    static std::atomic<int> counter{0};
    const std::string state = "sqlite:" + (dir.path / ("state-" + std::to_string(counter++) + ".db")).string();
    Result<std::unique_ptr<proxy::Store>> opened = proxy::open_store(state);
    INFO(opened.error);
    REQUIRE(opened);
    return std::move(*opened.value);
}

}  // namespace

const std::vector<StoreFactory>& store_factories() {
    static const std::vector<StoreFactory> factories{
        {"sqlite", make_sqlite},
    };
    return factories;
}

}  // namespace jitgate::contract
