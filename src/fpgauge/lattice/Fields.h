#pragma once
// Fields on the lattice. A LinkField holds one value per link, stored [site][μ] (file order);
// a SiteField one value per site. Both share their Geometry.
#include <memory>
#include <utility>

#include "fpgauge/core/Matrix3.h"
#include "fpgauge/lattice/FieldStorage.h"
#include "fpgauge/lattice/Geometry.h"

namespace fpgauge {

template <class T>
class LinkField {
 public:
  LinkField() = default;
  explicit LinkField(std::shared_ptr<const Geometry> geometry, const T& fill = T{})
      : geometry_(std::move(geometry)), values_(geometry_->link_count(), fill) {}

  const Geometry& geometry() const { return *geometry_; }
  const std::shared_ptr<const Geometry>& geometry_ptr() const { return geometry_; }

  T& operator()(SiteIndex s, int mu) { return values_[kDimensions * s + mu]; }
  const T& operator()(SiteIndex s, int mu) const { return values_[kDimensions * s + mu]; }
  // Link number l = 4 s + μ.
  T& operator[](SiteIndex l) { return values_[l]; }
  const T& operator[](SiteIndex l) const { return values_[l]; }
  SiteIndex size() const { return static_cast<SiteIndex>(values_.size()); }
  T* data() { return values_.data(); }
  const T* data() const { return values_.data(); }

 private:
  std::shared_ptr<const Geometry> geometry_;
  FieldVector<T> values_;
};

template <class T>
class SiteField {
 public:
  SiteField() = default;
  explicit SiteField(std::shared_ptr<const Geometry> geometry, const T& fill = T{})
      : geometry_(std::move(geometry)), values_(geometry_->volume(), fill) {}

  const Geometry& geometry() const { return *geometry_; }
  T& operator[](SiteIndex s) { return values_[s]; }
  const T& operator[](SiteIndex s) const { return values_[s]; }
  SiteIndex size() const { return static_cast<SiteIndex>(values_.size()); }

 private:
  std::shared_ptr<const Geometry> geometry_;
  FieldVector<T> values_;
};

// Links U_μ(x) ∈ SU(3).
using GaugeField = LinkField<SU3>;
// Hermitian traceless matrices per link: forces D_{x,μ} A and HMC momenta P_μ(x).
using AlgebraField = LinkField<Matrix3d>;
// Ω(x) ∈ SU(3) per site.
using GaugeTransformation = SiteField<SU3>;

}  // namespace fpgauge
