#include "node/net/node_counters.hpp"

#include <string>

namespace ifex {

boost::json::object counters_json(const NodeCounters& counters) {
  boost::json::object out;
  for (const NodeCounterInfo& row : node_counter_table)
    out[row.status_name] = (counters.*row.field).load();
  boost::json::object problems;
  for (std::size_t i = 0; i < connection_problem_count; ++i)
    problems[problem_name(static_cast<ConnectionProblem>(i))] =
        counters.connection_problems[i].load();
  out["connection_problems"] = std::move(problems);
  return out;
}

std::vector<Metric> counters_metrics(const NodeCounters& counters) {
  std::vector<Metric> out;
  for (const NodeCounterInfo& row : node_counter_table) {
    MetricSample sample{{}, static_cast<double>((counters.*row.field).load())};
    if (!row.label_name.empty())
      sample.labels[std::string(row.label_name)] = std::string(row.label_value);
    // Rows next to each other with one metric name are samples of one metric.
    if (out.empty() || out.back().name != row.metric_name)
      out.push_back(
          Metric{std::string(row.metric_name), std::string(row.help), "counter", {}, 0, 0});
    out.back().samples.push_back(std::move(sample));
  }
  Metric problems{"ifexnode_connection_problems_total",
                  "Failed or refused connections between nodes, by likely cause",
                  "counter",
                  {},
                  0,
                  0};
  for (std::size_t i = 0; i < connection_problem_count; ++i)
    problems.samples.push_back(
        {{{"cause", std::string(problem_name(static_cast<ConnectionProblem>(i)))}},
         static_cast<double>(counters.connection_problems[i].load())});
  out.push_back(std::move(problems));
  return out;
}

}  // namespace ifex
