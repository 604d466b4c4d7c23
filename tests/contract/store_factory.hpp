// The store contract suite's one extension point: each store implementation registers a factory that
// makes a fresh, empty store, and every contract test runs once per factory (as a section named after it).
#pragma once

#include "proxy/store/store.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace jitgate::contract {

struct StoreFactory {
    std::string name;  // the section name: `jitgate_contract_tests -c sqlite` runs only that store
    std::function<std::unique_ptr<proxy::Store>()> make;  // a fresh, empty store
};

// Every store implementation this build can test (store_factories.cpp).
[[nodiscard]] const std::vector<StoreFactory>& store_factories();

// Runs `body` against a fresh store of each implementation, each in its own section.
template <class Body>
void for_each_store(Body body) {
    for (const StoreFactory& factory : store_factories()) {
        DYNAMIC_SECTION(factory.name) {
            std::unique_ptr<proxy::Store> store = factory.make();
            REQUIRE(store != nullptr);
            body(*store);
        }
    }
}

}  // namespace jitgate::contract
