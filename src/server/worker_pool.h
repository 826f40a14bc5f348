// A fixed set of threads running queued jobs from a bounded queue: the
// server's blocking work (reports, exports, lookups) runs here, off the
// event loop.
//
// Thread safety: TrySubmit and depth from any thread; Stop from one.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ws::server {

class WorkerPool {
 public:
  WorkerPool(int threads, size_t limit) : limit_(limit) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
  }
  ~WorkerPool() { Stop(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job`; false when `limit` jobs wait already or the pool stopped.
  bool TrySubmit(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (stop_ || queue_.size() >= limit_) return false;
      queue_.push_back(std::move(job));
    }
    cv_.notify_one();
    return true;
  }
  // Runs what is queued, then joins the threads. Idempotent.
  void Stop() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
  }
  size_t depth() const {
    std::lock_guard<std::mutex> l(mu_);
    return queue_.size();
  }
  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  void Loop() {
    while (true) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping and drained
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  const size_t limit_;
  mutable std::mutex mu_;  // guards queue_ and stop_
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ws::server
