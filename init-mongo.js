// init-mongo.js — GENERATED from src/sinks/mongo/collections.ts by `npm run generate`. Do not edit:
// a test fails when this file differs from what the tool itself creates.
//
// The official mongo image runs this once, with mongosh, on a fresh data volume
// (docker-compose.yml mounts it into /docker-entrypoint-initdb.d/). It prepares two databases:
// ecom-etl's own (MONGO_INITDB_DATABASE, default ecommerce) and adaptive_bi, the database of
// `--profile adaptive-bi` (the Adaptive-BI Phase 1 service's validators and indexes).
const dbName = (typeof process !== 'undefined' && process.env.MONGO_INITDB_DATABASE) || 'ecommerce';
const specs = [
  {
    "name": "products",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "pattern": "^PRD_\\d{6,}$"
          },
          "product_id": {
            "bsonType": "string",
            "pattern": "^PRD_\\d{6,}$"
          },
          "name": {
            "bsonType": "string",
            "minLength": 1
          },
          "category": {
            "bsonType": "string",
            "enum": [
              "Electronics",
              "Clothing",
              "Home & Garden",
              "Sports & Outdoors",
              "Books",
              "Beauty",
              "Toys & Games",
              "Food & Grocery",
              "Automotive",
              "Health"
            ]
          },
          "brand": {
            "bsonType": "string",
            "minLength": 1
          },
          "base_price": {
            "bsonType": "number",
            "minimum": 0,
            "exclusiveMinimum": true
          },
          "cost": {
            "bsonType": "number",
            "minimum": 0,
            "exclusiveMinimum": true
          },
          "stock_quantity": {
            "bsonType": "number",
            "minimum": 0,
            "maximum": 9007199254740991
          },
          "rating": {
            "bsonType": "number",
            "minimum": 1,
            "maximum": 5
          },
          "review_count": {
            "bsonType": "number",
            "minimum": 0,
            "maximum": 9007199254740991
          },
          "created_at": {
            "bsonType": "date"
          },
          "is_active": {
            "bsonType": "bool"
          },
          "price": {
            "bsonType": "number",
            "minimum": 0,
            "exclusiveMinimum": true
          },
          "price_updated_at": {
            "bsonType": "date"
          },
          "rating_base": {
            "bsonType": "object",
            "properties": {
              "rating": {
                "bsonType": "number",
                "minimum": 1,
                "maximum": 5
              },
              "count": {
                "bsonType": "number",
                "minimum": 0,
                "maximum": 9007199254740991
              }
            },
            "required": [
              "rating",
              "count"
            ],
            "additionalProperties": false
          },
          "review_stars": {
            "bsonType": "number",
            "minimum": 0,
            "maximum": 9007199254740991
          },
          "review_seq": {
            "bsonType": "object",
            "additionalProperties": {
              "bsonType": "number",
              "minimum": 0,
              "maximum": 9007199254740991
            }
          }
        },
        "required": [
          "_id",
          "product_id",
          "name",
          "category",
          "brand",
          "base_price",
          "cost",
          "stock_quantity",
          "rating",
          "review_count",
          "created_at",
          "is_active"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "product_id_unique",
        "key": {
          "product_id": 1
        },
        "unique": true
      },
      {
        "name": "category_price",
        "key": {
          "category": 1,
          "base_price": 1
        }
      },
      {
        "name": "stock_quantity",
        "key": {
          "stock_quantity": 1
        }
      }
    ]
  },
  {
    "name": "users",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "pattern": "^USR_\\d{7,}$"
          },
          "user_id": {
            "bsonType": "string",
            "pattern": "^USR_\\d{7,}$"
          },
          "email": {
            "bsonType": "string",
            "pattern": "^(?:[A-Za-z0-9_'+\\-]+\\.)*[A-Za-z0-9_'+\\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\\-]*\\.)+[A-Za-z]{2,}$"
          },
          "first_name": {
            "bsonType": "string",
            "minLength": 1
          },
          "last_name": {
            "bsonType": "string",
            "minLength": 1
          },
          "age": {
            "bsonType": "number",
            "minimum": 18,
            "maximum": 80
          },
          "gender": {
            "bsonType": "string",
            "enum": [
              "female",
              "male",
              "non_binary",
              "undisclosed"
            ]
          },
          "country": {
            "bsonType": "string",
            "enum": [
              "US",
              "GB",
              "DE",
              "FR",
              "CA",
              "IN",
              "BR",
              "JP",
              "AU",
              "ES",
              "MX",
              "AE",
              "SA",
              "ZA",
              "NG",
              "EG",
              "KE",
              "CN"
            ]
          },
          "region": {
            "bsonType": "string",
            "minLength": 1
          },
          "city": {
            "bsonType": "string",
            "minLength": 1
          },
          "signup_date": {
            "bsonType": "date"
          },
          "customer_segment": {
            "bsonType": "string",
            "enum": [
              "new",
              "regular",
              "premium",
              "vip"
            ]
          },
          "preferred_category": {
            "bsonType": "string",
            "enum": [
              "Electronics",
              "Clothing",
              "Home & Garden",
              "Sports & Outdoors",
              "Books",
              "Beauty",
              "Toys & Games",
              "Food & Grocery",
              "Automotive",
              "Health"
            ]
          },
          "is_active": {
            "bsonType": "bool"
          },
          "updated_at": {
            "bsonType": "date"
          },
          "seeded": {
            "bsonType": "object",
            "properties": {
              "customer_segment": {
                "bsonType": "string",
                "enum": [
                  "new",
                  "regular",
                  "premium",
                  "vip"
                ]
              },
              "is_active": {
                "bsonType": "bool"
              }
            },
            "required": [
              "customer_segment",
              "is_active"
            ],
            "additionalProperties": false
          }
        },
        "required": [
          "_id",
          "user_id",
          "email",
          "first_name",
          "last_name",
          "age",
          "gender",
          "country",
          "region",
          "city",
          "signup_date",
          "customer_segment",
          "preferred_category",
          "is_active"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "user_id_unique",
        "key": {
          "user_id": 1
        },
        "unique": true
      },
      {
        "name": "email_unique",
        "key": {
          "email": 1
        },
        "unique": true
      },
      {
        "name": "country_region",
        "key": {
          "country": 1,
          "region": 1
        }
      },
      {
        "name": "segment",
        "key": {
          "customer_segment": 1
        }
      }
    ]
  },
  {
    "name": "product_views",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "pattern": "^[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "session_id": {
            "bsonType": "string",
            "pattern": "^SES-[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "user_id": {
            "bsonType": "string",
            "pattern": "^USR_\\d{7,}$"
          },
          "event_type": {
            "bsonType": "string",
            "enum": [
              "view",
              "search",
              "filter",
              "compare"
            ]
          },
          "product_id": {
            "bsonType": "string",
            "pattern": "^PRD_\\d{6,}$"
          },
          "category": {
            "bsonType": "string",
            "enum": [
              "Electronics",
              "Clothing",
              "Home & Garden",
              "Sports & Outdoors",
              "Books",
              "Beauty",
              "Toys & Games",
              "Food & Grocery",
              "Automotive",
              "Health"
            ]
          },
          "price_shown": {
            "bsonType": "number",
            "minimum": 0,
            "exclusiveMinimum": true
          },
          "displayed_price": {
            "bsonType": "number",
            "minimum": 0,
            "exclusiveMinimum": true
          },
          "search_query": {
            "anyOf": [
              {
                "bsonType": "string",
                "minLength": 1
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "compared_product_id": {
            "anyOf": [
              {
                "bsonType": "string",
                "pattern": "^PRD_\\d{6,}$"
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "duration_seconds": {
            "bsonType": "number",
            "minimum": 0,
            "maximum": 9007199254740991
          },
          "device_type": {
            "bsonType": "string",
            "enum": [
              "desktop",
              "mobile",
              "tablet"
            ]
          },
          "timestamp": {
            "bsonType": "date"
          },
          "scenarios": {
            "minItems": 1,
            "bsonType": "array",
            "items": {
              "bsonType": "string",
              "enum": [
                "black-friday",
                "flash-sale",
                "bot-burst",
                "payment-outage",
                "late-arrivals",
                "duplicate-delivery",
                "schema-drift"
              ]
            }
          },
          "ingested_at": {
            "bsonType": "date"
          }
        },
        "required": [
          "_id",
          "session_id",
          "user_id",
          "event_type",
          "product_id",
          "category",
          "search_query",
          "compared_product_id",
          "duration_seconds",
          "device_type",
          "timestamp"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "time",
        "key": {
          "timestamp": -1
        }
      },
      {
        "name": "user_time",
        "key": {
          "user_id": 1,
          "timestamp": -1
        }
      },
      {
        "name": "product_time",
        "key": {
          "product_id": 1,
          "timestamp": -1
        }
      },
      {
        "name": "category_time",
        "key": {
          "category": 1,
          "timestamp": -1
        }
      },
      {
        "name": "session",
        "key": {
          "session_id": 1
        }
      }
    ]
  },
  {
    "name": "cart_events",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "pattern": "^[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "session_id": {
            "bsonType": "string",
            "pattern": "^SES-[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "user_id": {
            "bsonType": "string",
            "pattern": "^USR_\\d{7,}$"
          },
          "event_type": {
            "bsonType": "string",
            "enum": [
              "add",
              "remove",
              "update_quantity",
              "checkout",
              "abandon"
            ]
          },
          "product_id": {
            "anyOf": [
              {
                "bsonType": "string",
                "pattern": "^PRD_\\d{6,}$"
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "quantity": {
            "bsonType": "number",
            "minimum": 0,
            "maximum": 9007199254740991
          },
          "unit_price": {
            "anyOf": [
              {
                "bsonType": "number",
                "minimum": 0,
                "exclusiveMinimum": true
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "cart_items": {
            "bsonType": "number",
            "minimum": 0,
            "maximum": 9007199254740991
          },
          "cart_value": {
            "bsonType": "number",
            "minimum": 0
          },
          "timestamp": {
            "bsonType": "date"
          },
          "scenarios": {
            "minItems": 1,
            "bsonType": "array",
            "items": {
              "bsonType": "string",
              "enum": [
                "black-friday",
                "flash-sale",
                "bot-burst",
                "payment-outage",
                "late-arrivals",
                "duplicate-delivery",
                "schema-drift"
              ]
            }
          },
          "ingested_at": {
            "bsonType": "date"
          }
        },
        "required": [
          "_id",
          "session_id",
          "user_id",
          "event_type",
          "product_id",
          "quantity",
          "unit_price",
          "cart_items",
          "cart_value",
          "timestamp"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "time",
        "key": {
          "timestamp": -1
        }
      },
      {
        "name": "user_time",
        "key": {
          "user_id": 1,
          "timestamp": -1
        }
      },
      {
        "name": "type_time",
        "key": {
          "event_type": 1,
          "timestamp": -1
        }
      },
      {
        "name": "session",
        "key": {
          "session_id": 1
        }
      }
    ]
  },
  {
    "name": "transactions",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "pattern": "^[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "transaction_id": {
            "bsonType": "string",
            "pattern": "^[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "session_id": {
            "bsonType": "string",
            "pattern": "^SES-[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "user_id": {
            "bsonType": "string",
            "pattern": "^USR_\\d{7,}$"
          },
          "items": {
            "minItems": 1,
            "bsonType": "array",
            "items": {
              "bsonType": "object",
              "properties": {
                "product_id": {
                  "bsonType": "string",
                  "pattern": "^PRD_\\d{6,}$"
                },
                "product_name": {
                  "bsonType": "string",
                  "minLength": 1
                },
                "category": {
                  "bsonType": "string",
                  "enum": [
                    "Electronics",
                    "Clothing",
                    "Home & Garden",
                    "Sports & Outdoors",
                    "Books",
                    "Beauty",
                    "Toys & Games",
                    "Food & Grocery",
                    "Automotive",
                    "Health"
                  ]
                },
                "brand": {
                  "bsonType": "string",
                  "minLength": 1
                },
                "base_price": {
                  "bsonType": "number",
                  "minimum": 0,
                  "exclusiveMinimum": true
                },
                "quantity": {
                  "bsonType": "number",
                  "minimum": 0,
                  "exclusiveMinimum": true,
                  "maximum": 9007199254740991
                },
                "unit_price": {
                  "bsonType": "number",
                  "minimum": 0,
                  "exclusiveMinimum": true
                },
                "line_total": {
                  "bsonType": "number",
                  "minimum": 0,
                  "exclusiveMinimum": true
                }
              },
              "required": [
                "product_id",
                "product_name",
                "category",
                "brand",
                "base_price",
                "quantity",
                "unit_price",
                "line_total"
              ],
              "additionalProperties": false
            }
          },
          "item_count": {
            "bsonType": "number",
            "minimum": 0,
            "exclusiveMinimum": true,
            "maximum": 9007199254740991
          },
          "subtotal": {
            "bsonType": "number",
            "minimum": 0,
            "exclusiveMinimum": true
          },
          "discount_amount": {
            "bsonType": "number",
            "minimum": 0
          },
          "tax_amount": {
            "bsonType": "number",
            "minimum": 0
          },
          "shipping_cost": {
            "bsonType": "number",
            "minimum": 0
          },
          "final_amount": {
            "bsonType": "number",
            "minimum": 0,
            "exclusiveMinimum": true
          },
          "currency": {
            "bsonType": "string",
            "enum": [
              "USD"
            ]
          },
          "payment_method": {
            "bsonType": "string",
            "enum": [
              "credit_card",
              "debit_card",
              "paypal",
              "apple_pay",
              "google_pay",
              "bank_transfer"
            ]
          },
          "user_snapshot": {
            "bsonType": "object",
            "properties": {
              "country": {
                "bsonType": "string",
                "enum": [
                  "US",
                  "GB",
                  "DE",
                  "FR",
                  "CA",
                  "IN",
                  "BR",
                  "JP",
                  "AU",
                  "ES",
                  "MX",
                  "AE",
                  "SA",
                  "ZA",
                  "NG",
                  "EG",
                  "KE",
                  "CN"
                ]
              },
              "region": {
                "bsonType": "string",
                "minLength": 1
              },
              "customer_segment": {
                "bsonType": "string",
                "enum": [
                  "new",
                  "regular",
                  "premium",
                  "vip"
                ]
              },
              "age": {
                "bsonType": "number",
                "minimum": 18,
                "maximum": 80
              }
            },
            "required": [
              "country",
              "region",
              "customer_segment",
              "age"
            ],
            "additionalProperties": false
          },
          "shipping_country": {
            "bsonType": "string",
            "enum": [
              "US",
              "GB",
              "DE",
              "FR",
              "CA",
              "IN",
              "BR",
              "JP",
              "AU",
              "ES",
              "MX",
              "AE",
              "SA",
              "ZA",
              "NG",
              "EG",
              "KE",
              "CN"
            ]
          },
          "billing_country": {
            "bsonType": "string",
            "enum": [
              "US",
              "GB",
              "DE",
              "FR",
              "CA",
              "IN",
              "BR",
              "JP",
              "AU",
              "ES",
              "MX",
              "AE",
              "SA",
              "ZA",
              "NG",
              "EG",
              "KE",
              "CN"
            ]
          },
          "ip_country": {
            "bsonType": "string",
            "enum": [
              "US",
              "GB",
              "DE",
              "FR",
              "CA",
              "IN",
              "BR",
              "JP",
              "AU",
              "ES",
              "MX",
              "AE",
              "SA",
              "ZA",
              "NG",
              "EG",
              "KE",
              "CN"
            ]
          },
          "is_fraud": {
            "bsonType": "bool"
          },
          "anomaly_type": {
            "anyOf": [
              {
                "bsonType": "string",
                "enum": [
                  "high_value",
                  "high_quantity",
                  "order_burst",
                  "country_mismatch",
                  "card_testing"
                ]
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "is_returned": {
            "bsonType": "bool"
          },
          "timestamp": {
            "bsonType": "date"
          },
          "scenarios": {
            "minItems": 1,
            "bsonType": "array",
            "items": {
              "bsonType": "string",
              "enum": [
                "black-friday",
                "flash-sale",
                "bot-burst",
                "payment-outage",
                "late-arrivals",
                "duplicate-delivery",
                "schema-drift"
              ]
            }
          },
          "ingested_at": {
            "bsonType": "date"
          },
          "status": {
            "bsonType": "string",
            "enum": [
              "placed",
              "paid",
              "packed",
              "shipped",
              "delivered",
              "cancelled",
              "return_requested",
              "returned",
              "refunded"
            ]
          },
          "status_history": {
            "minItems": 1,
            "bsonType": "array",
            "items": {
              "bsonType": "object",
              "properties": {
                "status": {
                  "bsonType": "string",
                  "enum": [
                    "placed",
                    "paid",
                    "packed",
                    "shipped",
                    "delivered",
                    "cancelled",
                    "return_requested",
                    "returned",
                    "refunded"
                  ]
                },
                "at": {
                  "bsonType": "date"
                }
              },
              "required": [
                "status",
                "at"
              ],
              "additionalProperties": false
            }
          },
          "version": {
            "bsonType": "number",
            "minimum": 0,
            "exclusiveMinimum": true,
            "maximum": 9007199254740991
          },
          "updated_at": {
            "bsonType": "date"
          },
          "warehouse_id": {
            "bsonType": "string",
            "pattern": "^WH-\\d+\\.\\d+$"
          },
          "carrier": {
            "bsonType": "string",
            "enum": [
              "UPS",
              "FedEx",
              "DHL",
              "USPS",
              "national_post"
            ]
          },
          "tracking_number": {
            "bsonType": "string",
            "minLength": 8
          },
          "delivered_late": {
            "bsonType": "bool"
          },
          "cancel_reason": {
            "bsonType": "string",
            "enum": [
              "payment_failed",
              "customer_request",
              "fraud_review"
            ]
          },
          "return_reason": {
            "bsonType": "string",
            "enum": [
              "damaged",
              "not_as_described",
              "wrong_size",
              "changed_mind",
              "arrived_late"
            ]
          },
          "refund_amount": {
            "bsonType": "number",
            "minimum": 0,
            "exclusiveMinimum": true
          }
        },
        "required": [
          "_id",
          "transaction_id",
          "session_id",
          "user_id",
          "items",
          "item_count",
          "subtotal",
          "discount_amount",
          "tax_amount",
          "shipping_cost",
          "final_amount",
          "currency",
          "payment_method",
          "user_snapshot",
          "shipping_country",
          "billing_country",
          "ip_country",
          "is_fraud",
          "anomaly_type",
          "is_returned",
          "timestamp"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "time",
        "key": {
          "timestamp": -1
        }
      },
      {
        "name": "user_time",
        "key": {
          "user_id": 1,
          "timestamp": -1
        }
      },
      {
        "name": "fraud_time",
        "key": {
          "is_fraud": 1,
          "timestamp": -1
        }
      },
      {
        "name": "product",
        "key": {
          "items.product_id": 1
        }
      },
      {
        "name": "category",
        "key": {
          "items.category": 1
        }
      },
      {
        "name": "country_time",
        "key": {
          "user_snapshot.country": 1,
          "timestamp": -1
        }
      },
      {
        "name": "session",
        "key": {
          "session_id": 1
        }
      },
      {
        "name": "status_time",
        "key": {
          "status": 1,
          "timestamp": -1
        }
      }
    ]
  },
  {
    "name": "user_activities",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "pattern": "^[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "session_id": {
            "bsonType": "string",
            "pattern": "^SES-[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "user_id": {
            "bsonType": "string",
            "pattern": "^USR_\\d{7,}$"
          },
          "activity_type": {
            "bsonType": "string",
            "enum": [
              "login",
              "logout",
              "page_view",
              "wishlist_add",
              "review_submit"
            ]
          },
          "page": {
            "bsonType": "string",
            "minLength": 1
          },
          "product_id": {
            "anyOf": [
              {
                "bsonType": "string",
                "pattern": "^PRD_\\d{6,}$"
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "duration_seconds": {
            "anyOf": [
              {
                "bsonType": "number",
                "minimum": 0,
                "maximum": 9007199254740991
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "device_type": {
            "bsonType": "string",
            "enum": [
              "desktop",
              "mobile",
              "tablet"
            ]
          },
          "browser": {
            "bsonType": "string",
            "enum": [
              "chrome",
              "safari",
              "firefox",
              "edge",
              "samsung_internet",
              "app"
            ]
          },
          "traffic_source": {
            "bsonType": "string",
            "enum": [
              "direct",
              "organic_search",
              "paid_search",
              "email",
              "social",
              "referral"
            ]
          },
          "ip_address": {
            "bsonType": "string",
            "pattern": "^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])$"
          },
          "timestamp": {
            "bsonType": "date"
          },
          "scenarios": {
            "minItems": 1,
            "bsonType": "array",
            "items": {
              "bsonType": "string",
              "enum": [
                "black-friday",
                "flash-sale",
                "bot-burst",
                "payment-outage",
                "late-arrivals",
                "duplicate-delivery",
                "schema-drift"
              ]
            }
          },
          "ingested_at": {
            "bsonType": "date"
          }
        },
        "required": [
          "_id",
          "session_id",
          "user_id",
          "activity_type",
          "page",
          "product_id",
          "duration_seconds",
          "device_type",
          "browser",
          "traffic_source",
          "ip_address",
          "timestamp"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "time",
        "key": {
          "timestamp": -1
        }
      },
      {
        "name": "user_time",
        "key": {
          "user_id": 1,
          "timestamp": -1
        }
      },
      {
        "name": "type_time",
        "key": {
          "activity_type": 1,
          "timestamp": -1
        }
      },
      {
        "name": "session",
        "key": {
          "session_id": 1
        }
      }
    ]
  },
  {
    "name": "inventory_updates",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "pattern": "^[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "product_id": {
            "bsonType": "string",
            "pattern": "^PRD_\\d{6,}$"
          },
          "warehouse_id": {
            "bsonType": "string",
            "pattern": "^WH-\\d+\\.\\d+$"
          },
          "update_type": {
            "bsonType": "string",
            "enum": [
              "restock",
              "sale",
              "adjustment",
              "return"
            ]
          },
          "previous_stock": {
            "bsonType": "number",
            "minimum": 0,
            "maximum": 9007199254740991
          },
          "quantity_change": {
            "bsonType": "number",
            "minimum": -9007199254740991,
            "maximum": 9007199254740991
          },
          "new_stock": {
            "bsonType": "number",
            "minimum": 0,
            "maximum": 9007199254740991
          },
          "reference_id": {
            "anyOf": [
              {
                "bsonType": "string",
                "pattern": "^[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "timestamp": {
            "bsonType": "date"
          },
          "scenarios": {
            "minItems": 1,
            "bsonType": "array",
            "items": {
              "bsonType": "string",
              "enum": [
                "black-friday",
                "flash-sale",
                "bot-burst",
                "payment-outage",
                "late-arrivals",
                "duplicate-delivery",
                "schema-drift"
              ]
            }
          },
          "ingested_at": {
            "bsonType": "date"
          }
        },
        "required": [
          "_id",
          "product_id",
          "warehouse_id",
          "update_type",
          "previous_stock",
          "quantity_change",
          "new_stock",
          "reference_id",
          "timestamp"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "time",
        "key": {
          "timestamp": -1
        }
      },
      {
        "name": "product_time",
        "key": {
          "product_id": 1,
          "timestamp": -1
        }
      },
      {
        "name": "type_time",
        "key": {
          "update_type": 1,
          "timestamp": -1
        }
      },
      {
        "name": "product_warehouse_time",
        "key": {
          "product_id": 1,
          "warehouse_id": 1,
          "timestamp": -1,
          "_id": -1
        }
      }
    ]
  },
  {
    "name": "order_events",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "pattern": "^[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "order_id": {
            "bsonType": "string",
            "pattern": "^[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "user_id": {
            "bsonType": "string",
            "pattern": "^USR_\\d{7,}$"
          },
          "from_status": {
            "anyOf": [
              {
                "bsonType": "string",
                "enum": [
                  "placed",
                  "paid",
                  "packed",
                  "shipped",
                  "delivered",
                  "cancelled",
                  "return_requested",
                  "returned",
                  "refunded"
                ]
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "to_status": {
            "bsonType": "string",
            "enum": [
              "placed",
              "paid",
              "packed",
              "shipped",
              "delivered",
              "cancelled",
              "return_requested",
              "returned",
              "refunded"
            ]
          },
          "version": {
            "bsonType": "number",
            "minimum": 0,
            "exclusiveMinimum": true,
            "maximum": 9007199254740991
          },
          "changes": {
            "bsonType": "object",
            "properties": {
              "warehouse_id": {
                "bsonType": "string",
                "pattern": "^WH-\\d+\\.\\d+$"
              },
              "carrier": {
                "bsonType": "string",
                "enum": [
                  "UPS",
                  "FedEx",
                  "DHL",
                  "USPS",
                  "national_post"
                ]
              },
              "tracking_number": {
                "bsonType": "string",
                "minLength": 8
              },
              "delivered_late": {
                "bsonType": "bool"
              },
              "cancel_reason": {
                "bsonType": "string",
                "enum": [
                  "payment_failed",
                  "customer_request",
                  "fraud_review"
                ]
              },
              "return_reason": {
                "bsonType": "string",
                "enum": [
                  "damaged",
                  "not_as_described",
                  "wrong_size",
                  "changed_mind",
                  "arrived_late"
                ]
              },
              "refund_amount": {
                "bsonType": "number",
                "minimum": 0,
                "exclusiveMinimum": true
              },
              "is_returned": {
                "bsonType": "bool",
                "enum": [
                  true
                ]
              }
            },
            "additionalProperties": false
          },
          "timestamp": {
            "bsonType": "date"
          },
          "scenarios": {
            "minItems": 1,
            "bsonType": "array",
            "items": {
              "bsonType": "string",
              "enum": [
                "black-friday",
                "flash-sale",
                "bot-burst",
                "payment-outage",
                "late-arrivals",
                "duplicate-delivery",
                "schema-drift"
              ]
            }
          },
          "ingested_at": {
            "bsonType": "date"
          }
        },
        "required": [
          "_id",
          "order_id",
          "user_id",
          "from_status",
          "to_status",
          "version",
          "changes",
          "timestamp"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "time",
        "key": {
          "timestamp": -1
        }
      },
      {
        "name": "order_version",
        "key": {
          "order_id": 1,
          "version": 1
        }
      },
      {
        "name": "status_time",
        "key": {
          "to_status": 1,
          "timestamp": -1
        }
      }
    ]
  },
  {
    "name": "price_changes",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "pattern": "^[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "product_id": {
            "bsonType": "string",
            "pattern": "^PRD_\\d{6,}$"
          },
          "category": {
            "bsonType": "string",
            "enum": [
              "Electronics",
              "Clothing",
              "Home & Garden",
              "Sports & Outdoors",
              "Books",
              "Beauty",
              "Toys & Games",
              "Food & Grocery",
              "Automotive",
              "Health"
            ]
          },
          "old_price": {
            "bsonType": "number",
            "minimum": 0,
            "exclusiveMinimum": true
          },
          "new_price": {
            "bsonType": "number",
            "minimum": 0,
            "exclusiveMinimum": true
          },
          "reason": {
            "bsonType": "string",
            "enum": [
              "repricing",
              "promotion_start",
              "promotion_end"
            ]
          },
          "timestamp": {
            "bsonType": "date"
          },
          "scenarios": {
            "minItems": 1,
            "bsonType": "array",
            "items": {
              "bsonType": "string",
              "enum": [
                "black-friday",
                "flash-sale",
                "bot-burst",
                "payment-outage",
                "late-arrivals",
                "duplicate-delivery",
                "schema-drift"
              ]
            }
          },
          "ingested_at": {
            "bsonType": "date"
          }
        },
        "required": [
          "_id",
          "product_id",
          "category",
          "old_price",
          "new_price",
          "reason",
          "timestamp"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "time",
        "key": {
          "timestamp": -1
        }
      },
      {
        "name": "product_time",
        "key": {
          "product_id": 1,
          "timestamp": -1
        }
      }
    ]
  },
  {
    "name": "reviews",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "pattern": "^[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "order_id": {
            "bsonType": "string",
            "pattern": "^[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "user_id": {
            "bsonType": "string",
            "pattern": "^USR_\\d{7,}$"
          },
          "product_id": {
            "bsonType": "string",
            "pattern": "^PRD_\\d{6,}$"
          },
          "category": {
            "bsonType": "string",
            "enum": [
              "Electronics",
              "Clothing",
              "Home & Garden",
              "Sports & Outdoors",
              "Books",
              "Beauty",
              "Toys & Games",
              "Food & Grocery",
              "Automotive",
              "Health"
            ]
          },
          "rating": {
            "bsonType": "number",
            "minimum": 1,
            "maximum": 5
          },
          "delivered_late": {
            "bsonType": "bool"
          },
          "timestamp": {
            "bsonType": "date"
          },
          "scenarios": {
            "minItems": 1,
            "bsonType": "array",
            "items": {
              "bsonType": "string",
              "enum": [
                "black-friday",
                "flash-sale",
                "bot-burst",
                "payment-outage",
                "late-arrivals",
                "duplicate-delivery",
                "schema-drift"
              ]
            }
          },
          "ingested_at": {
            "bsonType": "date"
          }
        },
        "required": [
          "_id",
          "order_id",
          "user_id",
          "product_id",
          "category",
          "rating",
          "delivered_late",
          "timestamp"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "time",
        "key": {
          "timestamp": -1
        }
      },
      {
        "name": "product_time",
        "key": {
          "product_id": 1,
          "timestamp": -1
        }
      },
      {
        "name": "order",
        "key": {
          "order_id": 1
        }
      }
    ]
  },
  {
    "name": "user_changes",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "pattern": "^[0-9a-z]+-\\d+\\.\\d+-[0-9a-z]+$"
          },
          "user_id": {
            "bsonType": "string",
            "pattern": "^USR_\\d{7,}$"
          },
          "change": {
            "bsonType": "string",
            "enum": [
              "segment_upgrade",
              "churned",
              "reactivated"
            ]
          },
          "customer_segment": {
            "bsonType": "string",
            "enum": [
              "new",
              "regular",
              "premium",
              "vip"
            ]
          },
          "is_active": {
            "bsonType": "bool"
          },
          "timestamp": {
            "bsonType": "date"
          },
          "scenarios": {
            "minItems": 1,
            "bsonType": "array",
            "items": {
              "bsonType": "string",
              "enum": [
                "black-friday",
                "flash-sale",
                "bot-burst",
                "payment-outage",
                "late-arrivals",
                "duplicate-delivery",
                "schema-drift"
              ]
            }
          },
          "ingested_at": {
            "bsonType": "date"
          }
        },
        "required": [
          "_id",
          "user_id",
          "change",
          "customer_segment",
          "is_active",
          "timestamp"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "time",
        "key": {
          "timestamp": -1
        }
      },
      {
        "name": "user_time",
        "key": {
          "user_id": 1,
          "timestamp": -1
        }
      }
    ]
  },
  {
    "name": "dead_letters",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "minLength": 1
          },
          "run_id": {
            "bsonType": "string",
            "minLength": 1
          },
          "collection": {
            "bsonType": "string",
            "minLength": 1
          },
          "stage": {
            "bsonType": "string",
            "enum": [
              "validation",
              "write"
            ]
          },
          "reasons": {
            "minItems": 1,
            "bsonType": "array",
            "items": {
              "bsonType": "object",
              "properties": {
                "path": {
                  "bsonType": "string"
                },
                "code": {
                  "bsonType": "string",
                  "minLength": 1
                },
                "message": {
                  "bsonType": "string",
                  "minLength": 1
                }
              },
              "required": [
                "path",
                "code",
                "message"
              ],
              "additionalProperties": false
            }
          },
          "injected": {
            "bsonType": [
              "string",
              "null"
            ]
          },
          "record": {
            "bsonType": "object",
            "additionalProperties": {}
          },
          "created_at": {
            "bsonType": "date"
          }
        },
        "required": [
          "_id",
          "run_id",
          "collection",
          "stage",
          "reasons",
          "injected",
          "record",
          "created_at"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "time",
        "key": {
          "created_at": -1
        }
      },
      {
        "name": "collection_time",
        "key": {
          "collection": 1,
          "created_at": -1
        }
      },
      {
        "name": "run",
        "key": {
          "run_id": 1
        }
      }
    ]
  },
  {
    "name": "etl_runs",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "minLength": 1
          },
          "command": {
            "bsonType": "string",
            "enum": [
              "seed",
              "stream",
              "schedule"
            ]
          },
          "options": {
            "bsonType": "object",
            "additionalProperties": {}
          },
          "seed": {
            "bsonType": "number",
            "minimum": 0,
            "maximum": 9007199254740991
          },
          "partitions": {
            "bsonType": "array",
            "items": {
              "bsonType": "string"
            }
          },
          "started_at": {
            "bsonType": "date"
          },
          "ended_at": {
            "anyOf": [
              {
                "bsonType": "date"
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "status": {
            "bsonType": "string",
            "enum": [
              "running",
              "completed",
              "interrupted",
              "failed"
            ]
          },
          "counts": {
            "bsonType": "object",
            "additionalProperties": {
              "bsonType": "object",
              "properties": {
                "generated": {
                  "bsonType": "number",
                  "minimum": 0,
                  "maximum": 9007199254740991
                },
                "written": {
                  "bsonType": "number",
                  "minimum": 0,
                  "maximum": 9007199254740991
                },
                "duplicates": {
                  "bsonType": "number",
                  "minimum": 0,
                  "maximum": 9007199254740991
                },
                "dead_lettered": {
                  "bsonType": "number",
                  "minimum": 0,
                  "maximum": 9007199254740991
                }
              },
              "required": [
                "generated",
                "written",
                "duplicates",
                "dead_lettered"
              ],
              "additionalProperties": false
            }
          },
          "rate": {
            "bsonType": "number",
            "minimum": 0
          },
          "checkpoint": {
            "bsonType": "object",
            "additionalProperties": {
              "bsonType": "number",
              "minimum": -9007199254740991,
              "maximum": 9007199254740991
            }
          },
          "resumed_from": {
            "bsonType": [
              "string",
              "null"
            ]
          },
          "catalog_load_seconds": {
            "anyOf": [
              {
                "bsonType": "number",
                "minimum": 0
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "clock_origin": {
            "anyOf": [
              {
                "bsonType": "date"
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "latency_ms": {
            "anyOf": [
              {
                "bsonType": "object",
                "properties": {
                  "p50": {
                    "bsonType": "number",
                    "minimum": 0
                  },
                  "p99": {
                    "bsonType": "number",
                    "minimum": 0
                  },
                  "max": {
                    "bsonType": "number",
                    "minimum": 0
                  },
                  "count": {
                    "bsonType": "number",
                    "minimum": 0,
                    "maximum": 9007199254740991
                  }
                },
                "required": [
                  "p50",
                  "p99",
                  "max",
                  "count"
                ],
                "additionalProperties": false
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "scenarios": {
            "bsonType": "array",
            "items": {
              "bsonType": "object",
              "properties": {
                "name": {
                  "bsonType": "string",
                  "minLength": 1
                },
                "from": {
                  "bsonType": "date"
                },
                "to": {
                  "anyOf": [
                    {
                      "bsonType": "date"
                    },
                    {
                      "bsonType": "null"
                    }
                  ]
                },
                "params": {
                  "bsonType": "object",
                  "additionalProperties": {
                    "bsonType": [
                      "number",
                      "string"
                    ]
                  }
                },
                "text": {
                  "bsonType": "string",
                  "minLength": 1
                }
              },
              "required": [
                "name",
                "from",
                "to",
                "params",
                "text"
              ],
              "additionalProperties": false
            }
          },
          "error": {
            "bsonType": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "_id",
          "command",
          "options",
          "seed",
          "partitions",
          "started_at",
          "ended_at",
          "status",
          "counts",
          "rate",
          "checkpoint",
          "resumed_from",
          "catalog_load_seconds",
          "error"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "started",
        "key": {
          "started_at": -1
        }
      },
      {
        "name": "seed_started",
        "key": {
          "seed": 1,
          "started_at": -1
        }
      }
    ]
  }
];
const abiSpecs = [
  {
    "name": "products",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "required": [
          "product_id",
          "name",
          "category",
          "base_price"
        ],
        "properties": {
          "product_id": {
            "bsonType": "string"
          },
          "name": {
            "bsonType": "string"
          },
          "category": {
            "bsonType": "string"
          },
          "base_price": {
            "bsonType": "double",
            "minimum": 0
          },
          "cost": {
            "bsonType": "double",
            "minimum": 0
          },
          "stock_quantity": {
            "bsonType": "int",
            "minimum": 0
          },
          "rating": {
            "bsonType": "double",
            "minimum": 0,
            "maximum": 5
          }
        }
      }
    },
    "indexes": [
      {
        "name": "product_id_1",
        "key": {
          "product_id": 1
        },
        "unique": true
      },
      {
        "name": "category_1",
        "key": {
          "category": 1
        }
      },
      {
        "name": "brand_1",
        "key": {
          "brand": 1
        }
      }
    ]
  },
  {
    "name": "users",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "required": [
          "user_id",
          "email",
          "first_name",
          "last_name"
        ],
        "properties": {
          "user_id": {
            "bsonType": "string"
          },
          "email": {
            "bsonType": "string"
          },
          "first_name": {
            "bsonType": "string"
          },
          "last_name": {
            "bsonType": "string"
          },
          "age": {
            "bsonType": "int",
            "minimum": 18,
            "maximum": 120
          },
          "total_spent": {
            "bsonType": "double",
            "minimum": 0
          },
          "is_active": {
            "bsonType": "bool"
          }
        }
      }
    },
    "indexes": [
      {
        "name": "user_id_1",
        "key": {
          "user_id": 1
        },
        "unique": true
      },
      {
        "name": "email_1",
        "key": {
          "email": 1
        },
        "unique": true
      },
      {
        "name": "customer_segment_1",
        "key": {
          "customer_segment": 1
        }
      },
      {
        "name": "country_1",
        "key": {
          "country": 1
        }
      }
    ]
  },
  {
    "name": "transactions",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "required": [
          "transaction_id",
          "user_id",
          "product_id",
          "timestamp",
          "final_amount"
        ],
        "properties": {
          "transaction_id": {
            "bsonType": "string"
          },
          "user_id": {
            "bsonType": "string"
          },
          "product_id": {
            "bsonType": "string"
          },
          "quantity": {
            "bsonType": "int",
            "minimum": 1
          },
          "unit_price": {
            "bsonType": "double",
            "minimum": 0
          },
          "total_amount": {
            "bsonType": "double",
            "minimum": 0
          },
          "final_amount": {
            "bsonType": "double",
            "minimum": 0
          },
          "timestamp": {
            "bsonType": "date"
          },
          "is_fraud": {
            "bsonType": "bool"
          },
          "is_returned": {
            "bsonType": "bool"
          }
        }
      }
    },
    "indexes": [
      {
        "name": "timestamp_-1",
        "key": {
          "timestamp": -1
        }
      },
      {
        "name": "user_id_1",
        "key": {
          "user_id": 1
        }
      },
      {
        "name": "product_id_1",
        "key": {
          "product_id": 1
        }
      },
      {
        "name": "category_1",
        "key": {
          "category": 1
        }
      },
      {
        "name": "is_fraud_1",
        "key": {
          "is_fraud": 1
        }
      },
      {
        "name": "order_id_1",
        "key": {
          "order_id": 1
        }
      },
      {
        "name": "session_id_1",
        "key": {
          "session_id": 1
        }
      }
    ]
  },
  {
    "name": "user_activities",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "required": [
          "activity_id",
          "user_id",
          "activity_type",
          "timestamp"
        ],
        "properties": {
          "activity_id": {
            "bsonType": "string"
          },
          "user_id": {
            "bsonType": "string"
          },
          "activity_type": {
            "bsonType": "string",
            "enum": [
              "page_view",
              "search",
              "add_to_cart",
              "remove_from_cart",
              "wishlist_add",
              "review_submit",
              "login",
              "logout"
            ]
          },
          "timestamp": {
            "bsonType": "date"
          },
          "duration_seconds": {
            "bsonType": "int",
            "minimum": 0
          }
        }
      }
    },
    "indexes": [
      {
        "name": "timestamp_-1",
        "key": {
          "timestamp": -1
        }
      },
      {
        "name": "user_id_1",
        "key": {
          "user_id": 1
        }
      },
      {
        "name": "activity_type_1",
        "key": {
          "activity_type": 1
        }
      },
      {
        "name": "session_id_1",
        "key": {
          "session_id": 1
        }
      }
    ]
  },
  {
    "name": "inventory_updates",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "required": [
          "update_id",
          "product_id",
          "timestamp",
          "new_stock"
        ],
        "properties": {
          "update_id": {
            "bsonType": "string"
          },
          "product_id": {
            "bsonType": "string"
          },
          "previous_stock": {
            "bsonType": "int",
            "minimum": 0
          },
          "new_stock": {
            "bsonType": "int",
            "minimum": 0
          },
          "stock_change": {
            "bsonType": "int"
          },
          "timestamp": {
            "bsonType": "date"
          },
          "update_type": {
            "bsonType": "string",
            "enum": [
              "restock",
              "sale",
              "adjustment",
              "return"
            ]
          }
        }
      }
    },
    "indexes": [
      {
        "name": "timestamp_-1",
        "key": {
          "timestamp": -1
        }
      },
      {
        "name": "product_id_1",
        "key": {
          "product_id": 1
        }
      },
      {
        "name": "update_type_1",
        "key": {
          "update_type": 1
        }
      },
      {
        "name": "product_warehouse_time",
        "key": {
          "product_id": 1,
          "warehouse_id": 1,
          "timestamp": -1,
          "_id": -1
        }
      }
    ]
  },
  {
    "name": "dead_letters",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "minLength": 1
          },
          "run_id": {
            "bsonType": "string",
            "minLength": 1
          },
          "collection": {
            "bsonType": "string",
            "minLength": 1
          },
          "stage": {
            "bsonType": "string",
            "enum": [
              "validation",
              "write"
            ]
          },
          "reasons": {
            "minItems": 1,
            "bsonType": "array",
            "items": {
              "bsonType": "object",
              "properties": {
                "path": {
                  "bsonType": "string"
                },
                "code": {
                  "bsonType": "string",
                  "minLength": 1
                },
                "message": {
                  "bsonType": "string",
                  "minLength": 1
                }
              },
              "required": [
                "path",
                "code",
                "message"
              ],
              "additionalProperties": false
            }
          },
          "injected": {
            "bsonType": [
              "string",
              "null"
            ]
          },
          "record": {
            "bsonType": "object",
            "additionalProperties": {}
          },
          "created_at": {
            "bsonType": "date"
          }
        },
        "required": [
          "_id",
          "run_id",
          "collection",
          "stage",
          "reasons",
          "injected",
          "record",
          "created_at"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "time",
        "key": {
          "created_at": -1
        }
      },
      {
        "name": "collection_time",
        "key": {
          "collection": 1,
          "created_at": -1
        }
      },
      {
        "name": "run",
        "key": {
          "run_id": 1
        }
      }
    ]
  },
  {
    "name": "etl_runs",
    "validator": {
      "$jsonSchema": {
        "bsonType": "object",
        "properties": {
          "_id": {
            "bsonType": "string",
            "minLength": 1
          },
          "command": {
            "bsonType": "string",
            "enum": [
              "seed",
              "stream",
              "schedule"
            ]
          },
          "options": {
            "bsonType": "object",
            "additionalProperties": {}
          },
          "seed": {
            "bsonType": "number",
            "minimum": 0,
            "maximum": 9007199254740991
          },
          "partitions": {
            "bsonType": "array",
            "items": {
              "bsonType": "string"
            }
          },
          "started_at": {
            "bsonType": "date"
          },
          "ended_at": {
            "anyOf": [
              {
                "bsonType": "date"
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "status": {
            "bsonType": "string",
            "enum": [
              "running",
              "completed",
              "interrupted",
              "failed"
            ]
          },
          "counts": {
            "bsonType": "object",
            "additionalProperties": {
              "bsonType": "object",
              "properties": {
                "generated": {
                  "bsonType": "number",
                  "minimum": 0,
                  "maximum": 9007199254740991
                },
                "written": {
                  "bsonType": "number",
                  "minimum": 0,
                  "maximum": 9007199254740991
                },
                "duplicates": {
                  "bsonType": "number",
                  "minimum": 0,
                  "maximum": 9007199254740991
                },
                "dead_lettered": {
                  "bsonType": "number",
                  "minimum": 0,
                  "maximum": 9007199254740991
                }
              },
              "required": [
                "generated",
                "written",
                "duplicates",
                "dead_lettered"
              ],
              "additionalProperties": false
            }
          },
          "rate": {
            "bsonType": "number",
            "minimum": 0
          },
          "checkpoint": {
            "bsonType": "object",
            "additionalProperties": {
              "bsonType": "number",
              "minimum": -9007199254740991,
              "maximum": 9007199254740991
            }
          },
          "resumed_from": {
            "bsonType": [
              "string",
              "null"
            ]
          },
          "catalog_load_seconds": {
            "anyOf": [
              {
                "bsonType": "number",
                "minimum": 0
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "clock_origin": {
            "anyOf": [
              {
                "bsonType": "date"
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "latency_ms": {
            "anyOf": [
              {
                "bsonType": "object",
                "properties": {
                  "p50": {
                    "bsonType": "number",
                    "minimum": 0
                  },
                  "p99": {
                    "bsonType": "number",
                    "minimum": 0
                  },
                  "max": {
                    "bsonType": "number",
                    "minimum": 0
                  },
                  "count": {
                    "bsonType": "number",
                    "minimum": 0,
                    "maximum": 9007199254740991
                  }
                },
                "required": [
                  "p50",
                  "p99",
                  "max",
                  "count"
                ],
                "additionalProperties": false
              },
              {
                "bsonType": "null"
              }
            ]
          },
          "scenarios": {
            "bsonType": "array",
            "items": {
              "bsonType": "object",
              "properties": {
                "name": {
                  "bsonType": "string",
                  "minLength": 1
                },
                "from": {
                  "bsonType": "date"
                },
                "to": {
                  "anyOf": [
                    {
                      "bsonType": "date"
                    },
                    {
                      "bsonType": "null"
                    }
                  ]
                },
                "params": {
                  "bsonType": "object",
                  "additionalProperties": {
                    "bsonType": [
                      "number",
                      "string"
                    ]
                  }
                },
                "text": {
                  "bsonType": "string",
                  "minLength": 1
                }
              },
              "required": [
                "name",
                "from",
                "to",
                "params",
                "text"
              ],
              "additionalProperties": false
            }
          },
          "error": {
            "bsonType": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "_id",
          "command",
          "options",
          "seed",
          "partitions",
          "started_at",
          "ended_at",
          "status",
          "counts",
          "rate",
          "checkpoint",
          "resumed_from",
          "catalog_load_seconds",
          "error"
        ],
        "additionalProperties": false
      }
    },
    "indexes": [
      {
        "name": "started",
        "key": {
          "started_at": -1
        }
      },
      {
        "name": "seed_started",
        "key": {
          "seed": 1,
          "started_at": -1
        }
      }
    ]
  }
];

function prepare(name, list) {
  const target = db.getSiblingDB(name);
  const existing = new Set(target.getCollectionNames());
  for (const spec of list) {
    if (existing.has(spec.name)) {
      target.runCommand({ collMod: spec.name, validator: spec.validator, validationLevel: 'strict', validationAction: 'error' });
    } else {
      target.createCollection(spec.name, { validator: spec.validator, validationLevel: 'strict', validationAction: 'error' });
    }
    target.runCommand({
      createIndexes: spec.name,
      indexes: spec.indexes.map((i) => (i.unique ? { name: i.name, key: i.key, unique: true } : { name: i.name, key: i.key })),
    });
  }
  print('ecom-etl: ' + list.length + ' collections ready in ' + name);
}

// A compose file that names adaptive_bi as its database (as that service's does) gets only the profile's.
if (dbName !== 'adaptive_bi') prepare(dbName, specs);
prepare('adaptive_bi', abiSpecs);
