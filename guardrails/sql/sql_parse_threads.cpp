// The big-stack parse threads: a fixed pool fed by a queue; each caller waits on its own job.
#include "guardrails/sql/sql_parse_threads.hpp"

#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace jitgate::guardrails::detail {
namespace {

struct Job {
    const std::function<void()>* work = nullptr;
    bool done = false;
};

class ParseThreads {
public:
    ParseThreads() {
        const unsigned count = std::clamp(std::thread::hardware_concurrency(), 2u, 8u);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, parse_thread_stack_bytes);
        for (unsigned i = 0; i < count; ++i) {
            pthread_t thread;
            if (pthread_create(&thread, &attr, &ParseThreads::main, this) == 0) threads_.push_back(thread);
        }
        pthread_attr_destroy(&attr);
        if (threads_.empty()) {
            std::fputs("jitgate: cannot start the SQL parse threads\n", stderr);
            std::abort();  // an invariant of the process: without them no statement could be classified
        }
    }

    ~ParseThreads() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        work_ready_.notify_all();
        for (pthread_t thread : threads_) pthread_join(thread, nullptr);
    }

    ParseThreads(const ParseThreads&) = delete;
    ParseThreads& operator=(const ParseThreads&) = delete;

    void run(const std::function<void()>& work) {
        Job job{&work, false};
        std::unique_lock lock(mutex_);
        queue_.push_back(&job);
        work_ready_.notify_one();
        job_done_.wait(lock, [&] { return job.done; });
    }

private:
    static void* main(void* self) {
        static_cast<ParseThreads*>(self)->loop();
        return nullptr;
    }

    void loop() {
        std::unique_lock lock(mutex_);
        for (;;) {
            work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and drained
            Job* job = queue_.front();
            queue_.pop_front();
            lock.unlock();
            (*job->work)();
            lock.lock();
            job->done = true;
            job_done_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable work_ready_;
    std::condition_variable job_done_;
    std::deque<Job*> queue_;
    bool stopping_ = false;
    std::vector<pthread_t> threads_;
};

}  // namespace

void run_on_parse_thread(const std::function<void()>& job) {
    static ParseThreads pool;
    pool.run(job);
}

}  // namespace jitgate::guardrails::detail
