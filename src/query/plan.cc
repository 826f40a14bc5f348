#include "query/plan.h"

namespace ws::query {

const char* DimName(Dim d) {
  switch (d) {
    case Dim::kDate:
      return "date";
    case Dim::kHour:
      return "hour";
    case Dim::kDaypart:
      return "daypart";
    case Dim::kWeekday:
      return "weekday";
    case Dim::kWeek:
      return "week";
    case Dim::kWeekOffset:
      return "week_offset";
    case Dim::kTitle:
      return "title";
    case Dim::kContent:
      return "content";
    case Dim::kGenre:
      return "genre";
    case Dim::kCountry:
      return "country";
    case Dim::kDeviceType:
      return "device_type";
    case Dim::kPlatform:
      return "platform";
    case Dim::kContentType:
      return "content_type";
    case Dim::kQuality:
      return "quality";
    case Dim::kSubscription:
      return "subscription_type";
    case Dim::kAgeBand:
      return "age_band";
    case Dim::kUser:
      return "user";
    case Dim::kPositionBucket:
      return "position_bucket";
    case Dim::kStatus:
      return "status";
    case Dim::kBucket:
      return "bucket";
  }
  return "?";
}

Expr Col(std::string name) {
  Expr e;
  e.op = Expr::Op::kCol;
  e.col = std::move(name);
  return e;
}

Expr Lit(double v) {
  Expr e;
  e.op = Expr::Op::kLit;
  e.lit = v;
  return e;
}

Expr FromDay() {
  Expr e;
  e.op = Expr::Op::kFromDay;
  return e;
}

Expr Bin(Expr::Op op, Expr a, Expr b) {
  Expr e;
  e.op = op;
  e.args.push_back(std::move(a));
  e.args.push_back(std::move(b));
  return e;
}

}  // namespace ws::query
