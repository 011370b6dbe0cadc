-- Databases of the production-like stack (passwords are set from the environment by the operator).
CREATE USER airflow;
CREATE USER jutong;
CREATE DATABASE airflow OWNER airflow;
CREATE DATABASE iceberg OWNER jutong;
CREATE DATABASE governance OWNER jutong;
