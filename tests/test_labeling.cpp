// Label assignment and voting on constructed spike counts.
#include <gtest/gtest.h>

#include <vector>

#include "sim/labeling.hpp"

using namespace memsnn;

TEST(Labeling, NeuronTakesClassWithHighestMeanResponse) {
  // 3 neurons, 4 samples: classes 0, 0, 1, 2. Neuron 0 fires for class 0, neuron 1 for
  // class 1 (a single strong sample), neuron 2 never fires.
  const std::vector<uint8_t> labels = {0, 0, 1, 2};
  const std::vector<uint32_t> counts = {
      5, 0, 0,  //
      3, 1, 0,  //
      1, 9, 0,  //
      0, 2, 0};
  const auto a = assign_labels(counts, labels, 3);
  EXPECT_EQ(a[0], 0);
  EXPECT_EQ(a[1], 1);
  EXPECT_EQ(a[2], -1) << "a neuron that never fired stays unassigned";
}

TEST(Labeling, MeansAreNormalisedByClassFrequency) {
  // Class 0 appears 4 times with 2 spikes each (mean 2); class 1 once with 3 (mean 3):
  // the total favours class 0, the mean favours class 1.
  const std::vector<uint8_t> labels = {0, 0, 0, 0, 1};
  const std::vector<uint32_t> counts = {2, 2, 2, 2, 3};
  EXPECT_EQ(assign_labels(counts, labels, 1)[0], 1);
}

TEST(Labeling, VoteUsesMeanOfAssignedNeurons) {
  // Class 3 has two neurons (4 + 0 spikes: mean 2), class 7 one neuron (3 spikes).
  const std::vector<int32_t> assignments = {3, 3, 7, -1};
  const std::vector<uint32_t> counts = {4, 0, 3, 100};
  EXPECT_EQ(classify(counts, assignments), 7) << "mean, not sum; unassigned neurons do not vote";
}

TEST(Labeling, TiesGoToTheLowestClassAndSilenceGivesNoPrediction) {
  const std::vector<int32_t> assignments = {5, 2};
  EXPECT_EQ(classify(std::vector<uint32_t>{1, 1}, assignments), 2);
  EXPECT_EQ(classify(std::vector<uint32_t>{0, 0}, assignments), -1);
  EXPECT_EQ(classify(std::vector<uint32_t>{3, 0}, std::vector<int32_t>{-1, -1}), -1);
}

TEST(Labeling, AssignThenClassifyRecoversAPerfectCode) {
  // Neuron k answers only to class k % 10: every sample must be classified correctly.
  constexpr uint32_t kNeurons = 30;
  std::vector<uint8_t> labels;
  std::vector<uint32_t> counts;
  for (int s = 0; s < 200; ++s) {
    const auto c = static_cast<uint8_t>(s % 10);
    labels.push_back(c);
    for (uint32_t k = 0; k < kNeurons; ++k) counts.push_back(k % 10 == c ? 1 + (s % 3) : 0);
  }
  const auto a = assign_labels(counts, labels, kNeurons);
  for (uint32_t k = 0; k < kNeurons; ++k) EXPECT_EQ(a[k], static_cast<int32_t>(k % 10));
  for (size_t s = 0; s < labels.size(); ++s) {
    EXPECT_EQ(classify(std::span<const uint32_t>(counts).subspan(s * kNeurons, kNeurons), a), labels[s]);
  }
}
