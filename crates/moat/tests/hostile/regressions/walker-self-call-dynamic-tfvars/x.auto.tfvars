ports
3 
